/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and prints where the time went: the functions with the most self
 * time, and the share of each package (or of Parley's own code). `node --import tsx bench/profile-summary.ts F`
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { commandLine, numberArg, runAsScript } from './lib/command-line.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string): string {
  if (!url) return '(native/idle)';
  const match = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (match) return match[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  if (url.includes('/src/')) return `parley:${url.slice(url.indexOf('/src/') + 5)}`;
  return url;
}

/** Frames in the server's build (dist/server/*.js) moved through its source maps to where they were written. */
function inSources(profile: Profile): void {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      const file = `${fileURLToPath(url)}.map`;
      maps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null);
    }
    return maps.get(url) ?? null;
  };
  for (const { callFrame } of profile.nodes) {
    if (!/\/dist\/server\/[^/]+\.js$/.test(callFrame.url)) continue;
    const entry = mapOf(callFrame.url)?.findEntry(callFrame.lineNumber, callFrame.columnNumber);
    if (!entry || !('originalSource' in entry)) continue;
    callFrame.url = new URL(entry.originalSource, callFrame.url).href;
    callFrame.lineNumber = entry.originalLine;
  }
}

export function summariseProfile(path: string, top = 25, skipFraction = 0): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  inSources(profile);
  // Leave out the first part of the run (start-up, compilation) when asked.
  const skip = Math.floor(profile.samples.length * skipFraction);
  profile.samples = profile.samples.slice(skip);
  profile.timeDeltas = profile.timeDeltas.slice(skip);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = `${functionName || '(anonymous)'} ${packageOf(url)}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const pkg = functionName === '(idle)' ? '(idle)' : packageOf(url).replace(/:.*$/, '');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  }
  // Inclusive time of Parley's own functions: what a procedure or service costs with all it calls.
  const inclusive = new Map<string, number>();
  const visit = (id: number, onStack: Set<string>): number => {
    const node = byId.get(id)!;
    let micros = selfMicros.get(id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = url.includes('/src/')
      ? `${functionName || '(anonymous)'} ${packageOf(url)}:${lineNumber + 1}`
      : null;
    const counted = name !== null && !onStack.has(name);
    if (counted) onStack.add(name);
    for (const child of node.children ?? []) micros += visit(child, onStack);
    if (counted) {
      onStack.delete(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
    return micros;
  };
  visit(profile.nodes[0]!.id, new Set());
  const share = (micros: number) => `${((100 * micros) / total).toFixed(1)}%`.padStart(6);
  console.log(`\n${path}: ${(total / 1e6).toFixed(1)} s sampled`);
  console.log('by package:');
  for (const [pkg, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`  ${share(micros)}  ${pkg}`);
  console.log("Parley's functions (inclusive time):");
  for (const [name, micros] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${share(micros)}  ${name}`);
  console.log('by function (self time):');
  for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${share(micros)}  ${name}`);
}

if (runAsScript(import.meta.url)) {
  const { values, positionals } = commandLine({ skip: { type: 'string' } });
  const skip = numberArg(values.skip, 0, '--skip');
  for (const file of positionals) summariseProfile(file, 40, skip);
}
