import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';

/** The built client's folder, building it first when it is missing or older than any client source. */
export async function ensureClientBuild(root: string, log: Logger): Promise<string> {
  const outDir = path.join(root, 'dist', 'client');
  const builtAt = await stat(path.join(outDir, 'index.html')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const sources = [
    path.join(root, 'src', 'client'),
    path.join(root, 'src', 'shared'),
    path.join(root, 'index.html'),
  ];
  const newest = Math.max(...(await Promise.all(sources.map(newestMtime))));
  if (builtAt >= newest) return outDir;
  log.info(builtAt ? 'Client sources changed: rebuilding the client…' : 'Building the client (first start)…');
  const { build } = await import('vite');
  await build({ root, configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  return outDir;
}

async function newestMtime(target: string): Promise<number> {
  if (!existsSync(target)) return 0;
  const info = await stat(target);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(target, { withFileTypes: true, recursive: true });
  const times = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) => stat(path.join(e.parentPath, e.name)).then((s) => s.mtimeMs)),
  );
  return Math.max(0, ...times);
}
