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

/** One line for a report: GC pauses (all, scavenges, full collections, the longest) and the loop's stalls. */
export function loopLine(report: LoopReport | null): string {
  if (!report) return 'no report';
  const { gc, stalls } = report;
  const late = stalls.reduce((sum, stall) => sum + stall.lateMs, 0);
  return (
    `GC ${Math.round(gc.totalMs)} ms (minor ${Math.round(gc.byKind.minor ?? 0)}, ${gc.majors} full, longest ` +
    `${gc.maxMs.toFixed(1)}); stalls > 20 ms ${stalls.length}: ${Math.round(late)} ms`
  );
}
