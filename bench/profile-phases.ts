/**
 * What a server's time went on, second by second: reads a V8 CPU profile (`node --cpu-prof`) and sorts each
 * sample by the first Parley function or phase on its stack (an upgrade's credentials, tRPC's call, a resume, live
 * delivery…), so a timeline like the restart storm's shows which work held each second.
 * `node --import tsx bench/profile-phases.ts F [--every=1000] [--from=30 --to=45]` (milliseconds per row; the
 * seconds of the profile to sum, each phase as a share of the busy time: one step of a bench).
 */
import { readFileSync } from 'node:fs';
import { commandLine, numberArg, runAsScript } from './lib/command-line.ts';

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The phases, in order: the first one with a frame anywhere on a sample's stack names the sample. */
const phases: [name: string, matches: (frame: ProfileNode['callFrame']) => boolean][] = [
  [
    'live delivery',
    (f) => f.url.includes('live-rounds') || (f.functionName === 'deliver' && f.url.includes('live-streams')),
  ],
  ['resume', (f) => /goLive|roomEventStream|recentAfter/.test(f.functionName)],
  ['credentials', (f) => /resolveCredentials|findCredential|readCredentials/.test(f.functionName)],
  ['upgrade', (f) => /handleUpgrade|completeUpgrade|acceptUpgrade/.test(f.functionName)],
  ['stream reads', (f) => /eventsBetween|^head$|^between$/.test(f.functionName)],
  ['context', (f) => f.functionName === 'createContext' || /createWsContext/.test(f.functionName)],
  // The two-instance path (the conversations scenario): copies to and from Redis, rate limits, the call's answer.
  ['bus out', (f) => f.url.includes('redis-bus') && /sendOutgoing|sendToOthers/.test(f.functionName)],
  [
    'bus in',
    (f) => (f.url.includes('redis-bus') && f.functionName === 'receive') || f.url.includes('redis-parser'),
  ],
  ['rate limits', (f) => /realtime\/(rate-limit|redis-calls)/.test(f.url)],
  ['answer', (f) => f.functionName === 'respond' && f.url.includes('@trpc')],
  ['tRPC call', (f) => f.functionName === 'callProcedure'],
  ['database client', (f) => /node_modules\/(knex|pg|pg-protocol|@mikro-orm|tarn)\//.test(f.url)],
  ['ws', (f) => /node_modules\/ws\//.test(f.url)],
  ['tRPC', (f) => f.url.includes('node_modules/@trpc/')],
  ['zod', (f) => f.url.includes('node_modules/zod/')],
];

function phaseOf(node: ProfileNode, byId: Map<number, ProfileNode>): string {
  const { functionName } = node.callFrame;
  if (functionName === '(idle)' || functionName === '(program)') return functionName;
  if (functionName === '(garbage collector)') return 'GC';
  const stack: ProfileNode['callFrame'][] = [];
  for (let at: ProfileNode | undefined = node; at; at = at.parent ? byId.get(at.parent) : undefined) {
    stack.push(at.callFrame);
  }
  for (const [name, matches] of phases) if (stack.some(matches)) return name;
  return 'other';
}

/** `window`: only the samples between these seconds of the profile (one step of a bench, say), and their sum. */
export function summarisePhases(path: string, everyMs = 1_000, window?: { from: number; to: number }): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes)
    for (const child of node.children ?? []) byId.get(child)!.parent = node.id;
  const phaseById = new Map(profile.nodes.map((node) => [node.id, phaseOf(node, byId)]));
  const rows = new Map<number, Map<string, number>>();
  let at = 0;
  const total = new Map<string, number>();
  for (const [i, id] of profile.samples.entries()) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at / 1e6 < window.from || at / 1e6 >= window.to)) continue;
    const row = Math.floor(at / 1000 / everyMs);
    const phases = rows.get(row) ?? new Map<string, number>();
    rows.set(row, phases);
    const phase = phaseById.get(id)!;
    phases.set(phase, (phases.get(phase) ?? 0) + delta);
    total.set(phase, (total.get(phase) ?? 0) + delta);
  }
  console.log(`\n${path}: ms of each ${everyMs} ms by phase (the profile starts with the process)`);
  for (const [row, phases] of [...rows].sort((a, b) => a[0] - b[0])) {
    console.log(`  ${((row * everyMs) / 1000).toFixed(1).padStart(6)} s  ${busyText(phases)}`);
  }
  if (!window) return;
  const busy = [...total].reduce((sum, [name, micros]) => (name === '(idle)' ? sum : sum + micros), 0);
  console.log(
    `  ${window.from}–${window.to} s, ${Math.round(busy / 1000)} ms busy: ${busyText(total, busy)}`,
  );
}

/** Each phase's ms (or, given the busy µs, its share of them), the largest first; idle left out. */
function busyText(phases: Map<string, number>, busy?: number): string {
  return [...phases]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .map(([name, micros]) =>
      busy ? `${name} ${((100 * micros) / busy).toFixed(1)} %` : `${name} ${Math.round(micros / 1000)}`,
    )
    .join(', ');
}

if (runAsScript(import.meta.url)) {
  const { values, positionals } = commandLine({
    every: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  });
  const every = numberArg(values.every, 1_000, '--every');
  const window =
    values.from || values.to
      ? {
          from: numberArg(values.from, 0, '--from'),
          to: numberArg(values.to, Number.POSITIVE_INFINITY, '--to'),
        }
      : undefined;
  for (const file of positionals) summarisePhases(file, every, window);
}
