/**
 * Loaded into a benchmarked server (`node --import tsx --import ./bench/lib/loop-watch.ts`) with BENCH_LOOP_WATCH
 * naming a file: it measures how late the event loop runs and what the garbage collector takes, over a window
 * the load generator opens and closes with SIGUSR2 (first signal: start afresh; second: write the file). Nothing
 * of Parley's own code knows it is there.
 */
import { renameSync, writeFileSync } from 'node:fs';
import {
  constants,
  monitorEventLoopDelay,
  type PerformanceEntry,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';

/** What the file holds: milliseconds throughout, times since the window opened. */
export interface LoopReport {
  windowMs: number;
  delay: { p50: number; p90: number; p99: number; max: number };
  /**
   * Each time a 5 ms timer fired more than 20 ms late: when, by how much, and the CPU the process used meanwhile
   * (the server is pinned to one core: CPU close to the lateness is its own work, far below it is time the core
   * gave to other processes).
   */
  stalls: { at: number; lateMs: number; cpuMs: number }[];
  /**
   * The CPU the process used between two ticks of that timer, when over 10 ms: a tick interval holding more than
   * 20 ms of CPU held a task that long (its own work, whatever the other processes on the core did).
   */
  holds: number[];
  gc: {
    count: number;
    /** Full collections (mark-compacts): each marks the whole heap, and its pause is the longest kind. */
    majors: number;
    totalMs: number;
    maxMs: number;
    over10ms: number;
    byKind: Record<string, number>;
  };
}

const file = process.env.BENCH_LOOP_WATCH;
const tickMs = 5;
const stallMs = 20;
/** Node's numbers for a collection's kind (`perf_hooks.constants`). */
const gcKinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

if (file) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let openedAt = 0;
  let stalls: LoopReport['stalls'] = [];
  let holds: number[] = [];
  let pauses: { kind: string; ms: number }[] = [];
  let due = performance.now() + tickMs;
  let cpu = process.cpuUsage();
  const ticker = setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const cpuMs = (used.user + used.system) / 1000;
    if (openedAt && now - due > stallMs) stalls.push({ at: now - openedAt, lateMs: now - due, cpuMs });
    if (openedAt && cpuMs > 10) holds.push(cpuMs);
    due = now + tickMs;
  }, tickMs);
  ticker.unref();
  const gc = new PerformanceObserver((list) => {
    if (!openedAt) return;
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      pauses.push({ kind: gcKinds[kind] ?? String(kind), ms: entry.duration });
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const ms = (nanos: number) => Math.round(nanos / 1e4) / 100;
  process.on('SIGUSR2', () => {
    if (!openedAt) {
      openedAt = performance.now();
      stalls = [];
      holds = [];
      pauses = [];
      delay.reset();
      delay.enable();
      return;
    }
    const byKind: Record<string, number> = {};
    for (const pause of pauses) byKind[pause.kind] = (byKind[pause.kind] ?? 0) + pause.ms;
    const report: LoopReport = {
      windowMs: performance.now() - openedAt,
      delay: {
        p50: ms(delay.percentile(50)),
        p90: ms(delay.percentile(90)),
        p99: ms(delay.percentile(99)),
        max: ms(delay.max),
      },
      stalls,
      holds,
      gc: {
        count: pauses.length,
        majors: pauses.filter((pause) => pause.kind === 'major').length,
        totalMs: pauses.reduce((sum, pause) => sum + pause.ms, 0),
        maxMs: Math.max(0, ...pauses.map((pause) => pause.ms)),
        over10ms: pauses.filter((pause) => pause.ms > 10).length,
        byKind,
      },
    };
    // Written whole, then named: a reader waiting for the file never sees half of it.
    writeFileSync(`${file}.part`, JSON.stringify(report));
    renameSync(`${file}.part`, file);
    openedAt = 0;
    delay.disable();
  });
}
