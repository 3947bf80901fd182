/**
 * What this host charges for the pieces a message's cost is made of, timed on the server's core before the
 * scenarios: JavaScript, a loopback round trip (each back to back and after 50 ms idle) and a durable 8 KiB write.
 * Hosts of this project's machine differ by up to twice in the last two, and every host multiplies work done after
 * a quiet spell: what a few messages a second cost, Parley's and the relay's alike, is mostly that (docs/
 * performance.md, entry 67). Each run's absolute figures are read beside these.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { serverCpu, spawnNode, waitForLine } from './lib/processes.ts';

export interface HostProbe {
  pauseMs: number;
  jsBusyMicros: number;
  jsAfterPauseMicros: number;
  loopbackBusyMicros: number;
  loopbackAfterPauseMicros: number;
  fdatasyncMicros: number;
}

const micros = (value: number) => `${value.toFixed(0)} µs`;
const busyThenIdle = (busy: number, afterPause: number) =>
  `${micros(busy)} back to back, ${micros(afterPause)} after idle (${(afterPause / busy).toFixed(1)}×)`;

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
    console.log(`  an 8 KiB write and fdatasync: ${micros(probe.fdatasyncMicros)}`);
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
