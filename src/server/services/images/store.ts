import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where image files live, by key (`<id>/<variant>.webp`). Local disk under the data folder for now; an
 * S3-compatible store would be a second implementation of these three calls, chosen by configuration.
 */
export interface ImageStore {
  put(key: string, bytes: Buffer): Promise<void>;
  /** The file's bytes, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** Removes every file under `prefix` (one image's variants); removing what is not there is fine. */
  removeAll(prefix: string): Promise<void>;
}

/** Keys are made by the server from random ids; a key that could leave the folder is a bug, refused loudly. */
function safeKey(key: string): string {
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)?$/.test(key) || key.includes('..')) {
    throw new Error(`Not an image store key: ${key}`);
  }
  return key;
}

export function localImageStore(dataDir: string): ImageStore {
  const root = path.resolve(dataDir, 'images');
  const at = (key: string) => path.join(root, safeKey(key));
  return {
    async put(key, bytes) {
      await mkdir(path.dirname(at(key)), { recursive: true });
      await writeFile(at(key), bytes);
    },
    async get(key) {
      return readFile(at(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
    },
    async removeAll(prefix) {
      await rm(at(prefix), { recursive: true, force: true });
    },
  };
}
