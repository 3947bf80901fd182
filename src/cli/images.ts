import { readFile } from 'node:fs/promises';
import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '../sdk/index.ts';
import { maxImagesPerMessage } from '../shared/images.ts';
import { UsageError } from './errors.ts';

/**
 * Uploads each file to the room, in order, for the message about to be sent: the server checks each by its content
 * (the same call the web app makes), so the CLI only reads them. `descriptions[i]` is the alt text of `paths[i]`.
 * Answers with the ids `chat.send` takes.
 */
export async function uploadImages(
  client: TRPCClient<AppRouter>,
  roomId: number,
  paths: readonly string[],
  descriptions: readonly string[] = [],
) {
  if (paths.length > maxImagesPerMessage) {
    throw new UsageError(`A message carries at most ${maxImagesPerMessage} images.`, 'send');
  }
  const ids: string[] = [];
  for (const [i, path] of paths.entries()) {
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(
        `Cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`,
        'send',
      );
    });
    const uploaded = await client.chat.uploadImage.mutate({
      roomId,
      image: bytes.toString('base64'),
      alt: descriptions[i],
    });
    ids.push(uploaded.id);
  }
  return ids;
}
