/**
 * The benchmark's side of `loop-watch.ts`: opens and closes its window in running servers (SIGUSR2) and reads
 * the report each one wrote, so a scenario can say per step how each server's loop ran and what GC took.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { LoopReport } from './loop-watch.ts';

const writeWaitMs = 2_000;

/** A file for each server's report: pass it to `startParley({ loopWatchFile })`. */
export const loopWatchFile = (name: string) => `/tmp/parley-${name}-loop-${process.pid}.json`;

export function openLoopWindow(pids: number[]): void {
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
}

/** Closes the window opened last and waits for each server's report (null when one wrote none in time). */
export async function closeLoopWindow(
  servers: { pid: number; file: string }[],
): Promise<(LoopReport | null)[]> {
  for (const { pid, file } of servers) {
    rmSync(file, { force: true });
    process.kill(pid, 'SIGUSR2');
  }
  const deadline = Date.now() + writeWaitMs;
  while (servers.some(({ file }) => !existsSync(file)) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return servers.map(({ file }) => takeLoopReport(file));
}

/** The report a server wrote to `file` (null if none), removed once read. */
export function takeLoopReport(file: string): LoopReport | null {
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, 'utf8')) as LoopReport;
  rmSync(file, { force: true });
  return report;
}

/**
 * What a server's loop went through in a window, rounded for a results file: its GC pauses (ms in all, by kind of
 * collection, how many full ones, the longest) and its stalls (a 5 ms timer more than 20 ms late: how many, their ms,
 * and the CPU the server itself used meanwhile; the rest of a stall is the core serving other processes).
 */
export interface LoopSummary {
  gc: { totalMs: number; majors: number; maxMs: number; byKind: Record<string, number> };
  stalls: { count: number; lateMs: number; ownCpuMs: number };
}

/** A report's summary (null for none). */
export function loopSummary(report: LoopReport | null): LoopSummary | null {
  if (!report) return null;
  const sum = (pick: (stall: LoopReport['stalls'][number]) => number) =>
    Math.round(report.stalls.reduce((total, stall) => total + pick(stall), 0));
  return {
    gc: {
      totalMs: Math.round(report.gc.totalMs),
      majors: report.gc.majors,
      maxMs: Math.round(report.gc.maxMs * 10) / 10,
      byKind: Object.fromEntries(
        Object.entries(report.gc.byKind).map(([kind, ms]) => [kind, Math.round(ms)]),
      ),
    },
    stalls: {
      count: report.stalls.length,
      lateMs: sum((stall) => stall.lateMs),
      ownCpuMs: sum((stall) => stall.cpuMs),
    },
  };
}

/** One line for a summary: GC pauses (all, scavenges, full collections, the longest) and the loop's stalls. */
export function loopLine(summary: LoopSummary | null): string {
  if (!summary) return 'no report';
  const { gc, stalls } = summary;
  return (
    `GC ${gc.totalMs} ms (minor ${gc.byKind.minor ?? 0}, ${gc.majors} full, longest ${gc.maxMs}); ` +
    `stalls > 20 ms ${stalls.count}: ${stalls.lateMs} ms, own CPU ${stalls.ownCpuMs}`
  );
}
