/**
 * What a server's time went on, second by second: reads a V8 CPU profile (`node --cpu-prof`) and sorts each
 * sample by the first Parley function or phase on its stack (an upgrade's credentials, tRPC's call, a resume, live
 * delivery…), so a timeline like the restart storm's shows which work held each second.
 * `node --import tsx bench/profile-phases.ts F [--every=1000]` (milliseconds per row).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

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
  ['tRPC call', (f) => f.functionName === 'callProcedure'],
  ['database client', (f) => /node_modules\/(knex|pg|pg-protocol|@mikro-orm)\//.test(f.url)],
  ['ws', (f) => /node_modules\/ws\//.test(f.url)],
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

export function summarisePhases(path: string, everyMs = 1_000): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes)
    for (const child of node.children ?? []) byId.get(child)!.parent = node.id;
  const phaseById = new Map(profile.nodes.map((node) => [node.id, phaseOf(node, byId)]));
  const rows = new Map<number, Map<string, number>>();
  let at = 0;
  for (const [i, id] of profile.samples.entries()) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const row = Math.floor(at / 1000 / everyMs);
    const phases = rows.get(row) ?? new Map<string, number>();
    rows.set(row, phases);
    const phase = phaseById.get(id)!;
    phases.set(phase, (phases.get(phase) ?? 0) + delta);
  }
  console.log(`\n${path}: ms of each ${everyMs} ms by phase (the profile starts with the process)`);
  for (const [row, phases] of [...rows].sort((a, b) => a[0] - b[0])) {
    const busy = [...phases]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([name, micros]) => `${name} ${Math.round(micros / 1000)}`)
      .join(', ');
    console.log(`  ${((row * everyMs) / 1000).toFixed(1).padStart(6)} s  ${busy}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const everyArg = process.argv.find((arg) => arg.startsWith('--every='));
  const every = everyArg ? Number(everyArg.split('=')[1]) : 1_000;
  for (const file of process.argv.slice(2).filter((arg) => !arg.startsWith('--')))
    summarisePhases(file, every);
}
