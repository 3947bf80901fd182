import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root, the nearest folder above this module that holds package.json: the same whether the server
 * runs from its sources (src/server/) or from its build (dist/server/, one file), where paths counted from
 * `import.meta.url` would differ.
 */
export const projectRoot = nearestPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function nearestPackageRoot(from: string): string {
  for (let folder = from; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return folder;
    if (path.dirname(folder) === folder) throw new Error(`No package.json above ${from}`);
  }
}
