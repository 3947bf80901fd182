import { withDisplayNames } from '../../../shared/mentions.ts';
import { plainPreview } from '../../../shared/plain-text.ts';
import type { Message } from './types.ts';

/**
 * A message as one line (the sidebar, a desktop notification, an accessible name): its images named, then its
 * words, with each person it mentions by their display name.
 */
export function messagePreview(
  message: Pick<Message, 'body'> & {
    attachments?: readonly unknown[] | undefined;
    mentions?: readonly { username: string; displayName: string }[] | undefined;
  },
  maxLength?: number,
): string {
  const words = plainPreview(withDisplayNames(message.body, message.mentions ?? []), maxLength);
  const count = message.attachments?.length ?? 0;
  if (count === 0) return words;
  const images = count === 1 ? 'Image' : `${count} images`;
  return words ? `${images}: ${words}` : images;
}
