import { z } from 'zod';

/** Most images one message carries. */
export const maxImagesPerMessage = 4;

/** The server's default per-file limit (IMAGE_MAX_BYTES): the web client checks it before uploading. */
export const defaultImageMaxBytes = 10_000_000;

/** A file size as the limits are said to people: decimal megabytes, one decimal at most ("2.5 MB"). */
export const megabytes = (bytes: number) => `${Math.round(bytes / 100_000) / 10} MB`;

/** The largest file any configuration accepts (IMAGE_MAX_BYTES is at most this): base64 is a third larger. */
export const hardMaxImageBytes = 50_000_000;

/** Bytes as base64 (a data: URL's prefix allowed), as avatars take them: JSON, so curl and every language can send. */
export function base64Image(maxBytes: number, tooBig: string) {
  return z
    .string()
    .min(1, 'Choose an image.')
    .max(Math.ceil((maxBytes * 4) / 3) + 100, tooBig)
    .regex(/^(data:[\w/+.-]+;base64,)?[A-Za-z0-9+/=\s]+$/, 'Send the image as base64.');
}

/** The id an upload answers with, which `chat.send` takes in `attachmentIds`. */
export const attachmentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{24}$/, 'An image id is the 24 characters chat.uploadImage answered with.');

/** An image as a message shows it: the full view and the thumbnail, both sized, so a page never jumps. */
export interface AttachmentView {
  id: string;
  url: string;
  width: number;
  height: number;
  thumbUrl: string;
  thumbWidth: number;
  thumbHeight: number;
  alt: string;
}

export type ImageVariant = 'full' | 'thumb';

/** Where an image is served; members only for a private room's. */
export const imageUrl = (id: string, variant: ImageVariant) => `/images/${id}/${variant}.webp`;
