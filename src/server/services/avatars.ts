import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import sharp from 'sharp';
import type { z } from 'zod';
import { avatarUrl } from '../../shared/avatars.ts';
import { maxAvatarBytes, type setAvatarInput } from '../../shared/people.ts';
import { User } from '../db/entities/index.ts';

const acceptedFormats = new Set(['png', 'jpeg', 'webp']);
const side = 256;

export function avatarsDir(dataDir: string): string {
  return path.resolve(dataDir, 'avatars');
}

const badImage = (message: string) => new TRPCError({ code: 'BAD_REQUEST', message });

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
  const bytes = Buffer.from(input.image.replace(/^data:[^,]*,/, ''), 'base64');
  if (bytes.length > maxAvatarBytes) throw badImage('The image must be at most 5 MB.');
  const image = sharp(bytes, { limitInputPixels: 25_000_000 });
  const meta = await image.metadata().catch(() => null);
  if (!meta?.format || !acceptedFormats.has(meta.format) || !meta.width || !meta.height) {
    throw badImage('That file is not a PNG, JPEG or WebP image.');
  }
  const { crop } = input;
  if (crop && (crop.left + crop.size > meta.width || crop.top + crop.size > meta.height)) {
    throw badImage('The crop square must lie inside the image.');
  }
  const pipeline = image.rotate();
  if (crop) pipeline.extract({ left: crop.left, top: crop.top, width: crop.size, height: crop.size });
  const webp = await pipeline
    .resize(side, side, { fit: 'cover' })
    .webp({ quality: 85 })
    .toBuffer()
    .catch(() => {
      throw badImage('That image could not be read; it may be damaged.');
    });

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
