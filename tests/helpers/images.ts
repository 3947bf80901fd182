import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

export type Rgb = { r: number; g: number; b: number };

export const red: Rgb = { r: 255, g: 0, b: 0 };
export const green: Rgb = { r: 0, g: 200, b: 0 };
export const blue: Rgb = { r: 0, g: 0, b: 255 };

/** Two colour blocks side by side (`first` | `second`), or stacked (`first` above `second`). */
export function twoTone(
  width: number,
  height: number,
  first: Rgb,
  second: Rgb,
  { stacked = false } = {},
): sharp.Sharp {
  const part = stacked
    ? { width, height: height / 2, top: height / 2, left: 0 }
    : { width: width / 2, height, top: 0, left: width / 2 };
  const block = { width: part.width, height: part.height, channels: 3 as const, background: second };
  return sharp({ create: { width, height, channels: 3, background: first } }).composite([
    { input: { create: block }, top: part.top, left: part.left },
  ]);
}

/** Random pixels: does not compress, so the file size is about width × height × 3 bytes. */
export function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** The colour of one pixel of an encoded image. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return { r: data[at] ?? -1, g: data[at + 1] ?? -1, b: data[at + 2] ?? -1 };
}

/** Whether two colours are the same but for lossy compression. */
export function near(actual: Rgb, expected: Rgb, tolerance = 40): boolean {
  return (
    Math.abs(actual.r - expected.r) <= tolerance &&
    Math.abs(actual.g - expected.g) <= tolerance &&
    Math.abs(actual.b - expected.b) <= tolerance
  );
}

export const base64 = (bytes: Buffer) => bytes.toString('base64');
export const dataUrl = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`;
