import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { avatarUrl } from '../../shared/avatars.ts';
import { maxAvatarBytes, type setAvatarInput } from '../../shared/people.ts';
import { User } from '../db/entities/index.ts';
import { badImage, decodeUpload, encoded } from './images/decode.ts';

const uploadLimits = {
  formats: ['png', 'jpeg', 'webp'],
  maxBytes: maxAvatarBytes,
  tooBig: 'The image must be at most 5 MB.',
  maxPixels: 25_000_000,
} as const;
const side = 256;

export function avatarsDir(dataDir: string): string {
  return path.resolve(dataDir, 'avatars');
}

/**
 * Checks the upload by its content (not its name), crops it square and resizes it, then swaps it in. Anything
 * wrong fails before the old avatar is touched.
 */
export async function setAvatar(
  em: EntityManager,
  dataDir: string,
  userId: number,
  input: z.output<typeof setAvatarInput>,
): Promise<{ avatarUrl: string }> {
  const { image: pipeline, width, height } = await decodeUpload(input.image, uploadLimits);
  const { crop } = input;
  if (crop && (crop.left + crop.size > width || crop.top + crop.size > height)) {
    throw badImage('The crop square must lie inside the image.');
  }
  if (crop) pipeline.extract({ left: crop.left, top: crop.top, width: crop.size, height: crop.size });
  const { data: webp } = await encoded(pipeline.resize(side, side, { fit: 'cover' }).webp({ quality: 85 }));

  const user = await em.findOneOrFail(User, { id: userId });
  const previous = user.avatarVersion ?? null;
  const version = (previous ?? 0) + 1;
  const dir = avatarsDir(dataDir);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${userId}-${version}.webp`), webp);
  user.avatarVersion = version;
  await em.flush();
  if (previous !== null) await rm(path.join(dir, `${userId}-${previous}.webp`), { force: true });
  return { avatarUrl: avatarUrl(userId, version) };
}
