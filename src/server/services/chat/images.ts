import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { describeImageInput, uploadImageInput } from '../../../shared/chat.ts';
import {
  type AttachmentView,
  type ImageVariant,
  maxImagesPerMessage,
  megabytes,
} from '../../../shared/images.ts';
import { Attachment } from '../../db/entities/index.ts';
import { type AppendedMessage, appendMessage, type Send } from '../../db/statements/chat.ts';
import { claimAttachments, removeImagesOf, removeUnsent } from '../../db/statements/images.ts';
import type { Deps } from '../../deps.ts';
import { attachmentViewOf } from '../../views/chat.ts';
import { limit } from '../auth.ts';
import { decodeUpload, encoded } from '../images/decode.ts';
import { authorizeWrite, type Writer } from './rooms.ts';

/** Longest side of the full view and of the thumbnail: enough for a large screen, and for the timeline. */
const sides: Record<ImageVariant, number> = { full: 2048, thumb: 400 };

export const imageKey = (id: string, variant: ImageVariant) => `${id}/${variant}.webp`;

/**
 * Stores one image for a message the caller will send to this room: checked by content, turned upright, and
 * re-encoded as WebP twice (full and thumbnail), which leaves EXIF (a photo's location, its camera) behind.
 */
export async function uploadImage(
  deps: Deps,
  em: EntityManager,
  me: Writer,
  input: z.output<typeof uploadImageInput>,
): Promise<AttachmentView> {
  await authorizeWrite(em, input.roomId, me);
  const { limits } = deps.config;
  // Decoding a large image costs CPU and memory: uploads have a budget of their own.
  await limit(deps, `image:${me.id}`, limits.imageUploadsPerHour, 3_600_000);
  const decoded = await decodeUpload(input.image, {
    formats: ['png', 'jpeg', 'webp', 'gif'],
    maxBytes: limits.imageMaxBytes,
    tooBig: `The image must be at most ${megabytes(limits.imageMaxBytes)}.`,
    maxPixels: limits.imageMaxPixels,
  });
  const [full, thumb] = await Promise.all(
    (['full', 'thumb'] as const).map((variant) =>
      encoded(
        decoded.image
          .clone()
          .resize(sides[variant], sides[variant], { fit: 'inside', withoutEnlargement: true })
          .webp({ quality: variant === 'full' ? 85 : 80 }),
      ),
    ),
  );
  if (!full || !thumb) throw new Error('An image encode went missing');
  const id = randomBytes(18).toString('base64url');
  await deps.images.put(imageKey(id, 'full'), full.data);
  await deps.images.put(imageKey(id, 'thumb'), thumb.data);
  const stored = {
    id,
    width: full.info.width,
    height: full.info.height,
    thumbWidth: thumb.info.width,
    thumbHeight: thumb.info.height,
    alt: input.alt ?? '',
  };
  await em.insert(Attachment, {
    ...stored,
    roomId: input.roomId,
    uploaderId: me.id,
    bytes: full.data.length + thumb.data.length,
  });
  deps.background.run('remove unsent images', async () => {
    await sweepUnsent(deps);
  });
  return attachmentViewOf(stored);
}

/**
 * Gives an image waiting to be sent a description (or a new one, or none): people usually write it after picking
 * the image, while it uploads. Once sent, an image is part of its message and keeps what it was sent with.
 */
export async function describeImage(
  em: EntityManager,
  me: Writer,
  input: z.output<typeof describeImageInput>,
): Promise<AttachmentView> {
  const unsent = { id: input.attachmentId, uploaderId: me.id, messageId: null };
  const changed = await em.nativeUpdate(Attachment, unsent, { alt: input.alt });
  const image = changed ? await em.findOne(Attachment, input.attachmentId) : null;
  if (!image) {
    throw new TRPCError({
      code: 'NOT_FOUND',
      message:
        'That image is not one of your uploads waiting to be sent: it was sent, removed, or never yours.',
    });
  }
  return attachmentViewOf(image);
}

/** What the web client checks before uploading, so a file the server would refuse is not sent at all. */
export const imageLimits = (deps: Deps) => ({
  maxBytes: deps.config.limits.imageMaxBytes,
  maxPerMessage: maxImagesPerMessage,
});

/**
 * The send's statement, and when the message carries images, their claim in the same transaction: a plain message
 * costs nothing more (`plain` appends it). An image that is not the sender's unsent upload to this room refuses the
 * whole send.
 */
export async function appendWithImages(
  em: EntityManager,
  send: Send & { attachmentIds?: readonly string[] | undefined },
  plain: (em: EntityManager, send: Send) => Promise<AppendedMessage | null> = appendMessage,
): Promise<AppendedMessage | null> {
  const ids = send.attachmentIds ?? [];
  if (ids.length === 0) return plain(em, send);
  return em.transactional(async (tx) => {
    const appended = await appendMessage(tx, send);
    if (!appended) return null;
    const claim = { messageId: appended.message.id, roomId: send.roomId, uploaderId: send.senderId, ids };
    const attachments = await claimAttachments(tx, claim);
    if (attachments.length < ids.length) {
      throw new TRPCError({
        code: 'NOT_FOUND',
        message:
          'An attached image is not one you uploaded to this room, or was already sent or removed: attach it again.',
      });
    }
    return { ...appended, message: { ...appended.message, attachments } };
  });
}

/**
 * A deleted message's images go with its words, files and all: nobody is served them any more, and a picture
 * that had to be taken down (by its sender or a moderator) does not stay on the server's disk.
 */
export function forgetImagesOf(deps: Deps, messageId: string): void {
  deps.background.run("remove a deleted message's images", async () => {
    const ids = await removeImagesOf(deps.orm.em.fork(), messageId);
    for (const id of ids) await deps.images.removeAll(id);
  });
}

/** Removes uploads never sent within IMAGE_UNSENT_HOURS, a batch at a time: their rows, then their files. */
export async function sweepUnsent(deps: Deps): Promise<number> {
  const before = new Date(Date.now() - deps.config.limits.imageUnsentMs);
  const ids = await removeUnsent(deps.orm.em.fork(), before, 100);
  for (const id of ids) await deps.images.removeAll(id);
  return ids.length;
}
