/**
 * The long tasks in a V8 CPU profile (`node --cpu-prof`): stretches of samples with no idle between them, longer
 * than a threshold, and what ran in them — Parley's functions by inclusive time (each counted once per sample),
 * packages by self time. `node --import tsx bench/long-tasks.ts F.cpuprofile [--over=20] [--skip=0.3]`
 */
import { readFileSync } from 'node:fs';
import { commandLine, numberArg, runAsScript } from './lib/command-line.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

interface Task {
  startMs: number;
  ms: number;
  samples: number[];
}

const label = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) =>
  `${functionName || '(anonymous)'} ${url.slice(url.indexOf('/src/') + 5)}:${lineNumber + 1}`;

function packageOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const match = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (match) return match[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  if (url.includes('/src/')) return `parley:${url.slice(url.indexOf('/src/') + 5).replace(/\/[^/]+$/, '')}`;
  return url;
}

/** Runs of consecutive busy samples longer than `overMs`. */
function longTasks(profile: Profile, idle: Set<number>, overMs: number, skip: number): Task[] {
  const tasks: Task[] = [];
  let now = 0;
  let current: Task | null = null;
  for (const [i, id] of profile.samples.entries()) {
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    now += delta;
    if (i < skip) continue;
    if (idle.has(id)) {
      if (current && current.ms > overMs) tasks.push(current);
      current = null;
      continue;
    }
    current ??= { startMs: now - delta, ms: 0, samples: [] };
    current.ms += delta;
    current.samples.push(i);
  }
  return tasks;
}

export function summariseLongTasks(path: string, overMs = 20, skipFraction = 0): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const tasks = longTasks(profile, idle, overMs, Math.floor(profile.samples.length * skipFraction));
  const total = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0) / 1000;
  const inTasks = tasks.reduce((sum, task) => sum + task.ms, 0);
  console.log(
    `\n${path}: ${tasks.length} tasks over ${overMs} ms in ${(total / 1000).toFixed(1)} s, ${Math.round(inTasks)} ms in all`,
  );
  const parley = new Map<string, number>();
  const packages = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  for (const task of tasks) {
    for (const i of task.samples) {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      let id: number | undefined = profile.samples[i]!;
      add(packages, packageOf(byId.get(id)!.callFrame), ms);
      const seen = new Set<string>();
      for (; id !== undefined; id = parent.get(id)) {
        const frame = byId.get(id)!.callFrame;
        if (!frame.url.includes('/src/')) continue;
        const name = label(frame);
        if (!seen.has(name)) add(parley, name, ms);
        seen.add(name);
      }
    }
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => `  ${((100 * ms) / inTasks).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  console.log(`Parley's functions in them (inclusive):\n${top(parley, 25)}`);
  console.log(`packages in them (self):\n${top(packages, 12)}`);
  const longest = [...tasks].sort((a, b) => b.ms - a.ms).slice(0, 10);
  console.log(
    `longest: ${longest.map((t) => `${Math.round(t.ms)} ms at ${(t.startMs / 1000).toFixed(2)} s`).join(', ')}`,
  );
}

if (runAsScript(import.meta.url)) {
  const { values, positionals } = commandLine({ over: { type: 'string' }, skip: { type: 'string' } });
  const [over, skip] = [numberArg(values.over, 20, '--over'), numberArg(values.skip, 0, '--skip')];
  for (const file of positionals) summariseLongTasks(file, over, skip);
}
