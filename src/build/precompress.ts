import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Text the browser downloads; images and fonts are compressed already, source maps are never served. */
const compressible = /\.(js|mjs|css|html|svg|json|txt|webmanifest)$/;
/** Below this a compressed copy saves next to nothing. */
const minBytes = 256;

/**
 * Writes `<file>.br` and `<file>.gz` beside each text file of the client build, at the highest levels (built once,
 * served many times), so the server sends them as they are instead of compressing per request.
 */
export function precompress(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'parley:precompress',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    async closeBundle() {
      const outDir = path.resolve(config.root, config.build.outDir);
      const files = await readdir(outDir, { recursive: true, withFileTypes: true });
      const targets = files.filter((f) => f.isFile() && compressible.test(f.name));
      await Promise.all(targets.map((f) => compressFile(path.join(f.parentPath, f.name))));
    },
  };
}

async function compressFile(file: string): Promise<void> {
  const original = await readFile(file);
  if (original.length < minBytes) return;
  const [br, gz] = await Promise.all([
    brotli(original, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: original.length,
      },
    }),
    gzipped(original, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  // A copy is kept only where it is smaller; without it the server sends the original.
  const copies = [
    { name: `${file}.br`, bytes: br },
    { name: `${file}.gz`, bytes: gz },
  ];
  await Promise.all(
    copies.filter((c) => c.bytes.length < original.length).map((c) => writeFile(c.name, c.bytes)),
  );
}
