import { TRPCError } from '@trpc/server';
import sharp from 'sharp';

const formatNames: Record<string, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', gif: 'GIF' };

export const badImage = (message: string) => new TRPCError({ code: 'BAD_REQUEST', message });

export interface UploadLimits {
  /** What the decoder must find, checked by content, never by a name or a declared type. */
  formats: readonly (keyof typeof formatNames)[];
  maxBytes: number;
  /** The refusal past `maxBytes`. */
  tooBig: string;
  /** Width × height: a small file can decode to an enormous picture (an image bomb). */
  maxPixels: number;
}

export interface DecodedUpload {
  /** Auto-rotated by its EXIF orientation; re-encode it (which drops EXIF) before storing anything. */
  image: sharp.Sharp;
  width: number;
  height: number;
}

/**
 * Reads an upload sent as base64 (a data: URL's prefix allowed) and checks it by its content: its size, its format,
 * its pixel count before any pixel is decoded, and that it is a still picture.
 */
export async function decodeUpload(base64: string, limits: UploadLimits): Promise<DecodedUpload> {
  const bytes = Buffer.from(base64.replace(/^data:[^,]*,/, ''), 'base64');
  if (bytes.length > limits.maxBytes) throw badImage(limits.tooBig);
  // The header alone tells the size (sharp refuses to read it past its limit, and then could not say the size);
  // the decode itself keeps sharp's pixel limit, should the header lie.
  const meta = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => null);
  const image = sharp(bytes, { limitInputPixels: limits.maxPixels });
  if (!meta?.format || !limits.formats.includes(meta.format) || !meta.width || !meta.height) {
    throw badImage(`That file is not a ${formatList(limits.formats)} image.`);
  }
  if (meta.width * meta.height > limits.maxPixels) {
    const megapixels = Math.floor(limits.maxPixels / 1_000_000);
    throw badImage(
      `That image is ${meta.width} × ${meta.height} pixels; at most ${megapixels} megapixels are accepted.`,
    );
  }
  if ((meta.pages ?? 1) > 1) throw badImage('Animated images are not supported: send a still image.');
  // Orientation 5–8 swaps the sides once rotated.
  const turned = (meta.orientation ?? 1) >= 5;
  return {
    image: image.rotate(),
    width: turned ? meta.height : meta.width,
    height: turned ? meta.width : meta.height,
  };
}

/** Runs an encode, turning a decoder failure (a truncated or damaged file) into an answer the sender understands. */
export function encoded(pipeline: sharp.Sharp): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  return pipeline.toBuffer({ resolveWithObject: true }).catch(() => {
    throw badImage('That image could not be read; it may be damaged.');
  });
}

/** ['png', 'jpeg', 'webp'] → 'PNG, JPEG or WebP'. */
function formatList(formats: UploadLimits['formats']): string {
  const names = formats.map((format) => formatNames[format] ?? format);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');
}
