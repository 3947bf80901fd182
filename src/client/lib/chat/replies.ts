import { excerptOf } from '../../../shared/replies.ts';
import type { Message } from './types.ts';

/** What a reply's quote says of its original, and the reader's way back to it. */
export type ReplyTo = NonNullable<Message['replyTo']>;

/**
 * A reply's quote as the original is now: the server sends a quote with each reply, but an edit or a deletion of
 * the original reaches the client as that message only, so the client brings the quotes it holds up to date.
 */
export function quoteOf(original: Message, quote: ReplyTo): ReplyTo {
  const deleted = Boolean(original.deletedAt);
  return { ...quote, deleted, excerpt: deleted ? '' : excerptOf(original.body) };
}

/** The quote a new reply to `message` will show, before the server sends its own. */
export const replyQuoteOf = (message: Message): ReplyTo => ({
  id: message.id,
  seq: message.seq,
  sender: message.sender,
  excerpt: excerptOf(message.body),
  deleted: false,
});
