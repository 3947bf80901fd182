/**
 * What this host charges for three pieces of a message's cost, timed on the server's core before the scenarios: a
 * bit of JavaScript and a loopback round trip, each back to back and after 50 ms idle, and a durable 8 KiB write.
 * Absolute figures move with the host (a connect cost the server 205–818 µs of CPU on the hosts of entries 38–68),
 * and every host multiplies the work that follows a quiet spell: what a few messages a second cost, Parley's and
 * the relay's alike, is mostly that (docs/performance.md, entry 67). A run's figures are read beside these.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { serverCpu, spawnNode, waitForLine } from './lib/processes.ts';
import type { HostProbe } from './load/host-work.ts';

const formatMicros = (value: number) => `${value.toFixed(0)} µs`;
const busyThenIdle = (busy: number, afterPause: number) =>
  `${formatMicros(busy)} back to back, ${formatMicros(afterPause)} after idle (${(afterPause / busy).toFixed(1)}×)`;

export async function runHostProbe(options: { runs: number }): Promise<HostProbe> {
  const child = spawnNode('bench/load/host-work.ts', { cpu: serverCpu, args: [String(options.runs), '50'] });
  try {
    const [line] = await waitForLine(child, /^\{"pauseMs".*\}$/, 120_000);
    const probe = JSON.parse(line) as HostProbe;
    console.log(`\nhost (idle: ${probe.pauseMs} ms before each run)`);
    console.log(
      `  a fixed piece of JavaScript: ${busyThenIdle(probe.jsBusyMicros, probe.jsAfterPauseMicros)}`,
    );
    console.log(
      `  a 100-byte loopback round trip: ${busyThenIdle(probe.loopbackBusyMicros, probe.loopbackAfterPauseMicros)}`,
    );
    console.log(`  an 8 KiB write and fdatasync: ${formatMicros(probe.fdatasyncMicros)}`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/host.json',
      `${JSON.stringify({ at: new Date().toISOString(), ...probe }, null, 2)}\n`,
    );
    return probe;
  } finally {
    await child.stop();
  }
}
