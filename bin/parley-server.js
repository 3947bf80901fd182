#!/usr/bin/env node
/**
 * Runs the server from its build: `node bin/parley-server.js` is `npm start` (src/server/main.ts), and
 * `node bin/parley-server.js headless` the server without the web client, for programs that start and stop it
 * (src/server/headless.ts). The build is one file per entry in dist/server/, made by esbuild with the packages
 * left in node_modules; it is made again first when missing or older than any file it was built from, so a
 * changed checkout never runs stale code. `--build` only builds (npm run build, the Docker image).
 *
 * Why a build: under tsx every one of the server's ~170 modules is resolved, compiled and kept with its source
 * map through loader hooks on another thread; from one prebuilt file the server listens ~0.6 s sooner after a
 * restart, with less memory (docs/performance.md, entry 47).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'dist', 'server');
const entries = { main: 'src/server/main.ts', headless: 'src/server/headless.ts' };
/** What each build was made from (esbuild's metafile inputs), to know when it is stale. */
const inputsFile = path.join(outDir, 'inputs.json');

const arg = process.argv[2];
if (arg === '--build') {
  await build();
} else {
  const name = arg ?? 'main';
  if (!(name in entries)) {
    console.error(`Unknown entry "${name}": one of ${Object.keys(entries).join(', ')}, or --build.`);
    process.exit(2);
  }
  if (isStale()) await build();
  // Stack traces name the TypeScript sources, through the build's source maps.
  process.setSourceMapsEnabled(true);
  // V8 moves an allocation site's objects straight to the old generation once some were found alive at a
  // scavenge; a send's objects, short-lived, then wait there for a full collection, which at 1,000 msg/s came
  // ~2.7× as often and stalls the instance's core (docs/performance.md, entry 80). Set here, before the server is
  // loaded, so every way of starting it (npm start, the Docker image, the tests, the bench) runs with it.
  setFlagsFromString('--no-allocation-site-pretenuring');
  await import(pathToFileURL(path.join(outDir, `${name}.js`)).href);
}

function isStale() {
  if (!existsSync(inputsFile)) return true;
  const { builtAt, inputs } = JSON.parse(readFileSync(inputsFile, 'utf8'));
  return inputs.some((input) => {
    const file = path.join(root, input);
    return !existsSync(file) || statSync(file).mtimeMs > builtAt;
  });
}

async function build() {
  const { build: esbuild } = await import('esbuild');
  const startedAt = Date.now();
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(outDir, { recursive: true });
  // Written beside and renamed: processes starting at the same moment never read a half-written file.
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/'));
  const temporary = `${inputsFile}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ builtAt: startedAt, inputs: ['package-lock.json', ...inputs] }));
  renameSync(temporary, inputsFile);
}
