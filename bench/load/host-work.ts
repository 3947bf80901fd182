/**
 * The host probe's child (bench/host.ts), on the server's core: times three pieces of what a message costs, each
 * back to back and once after each idle pause, prints the medians as one JSON line, and waits to be stopped (so
 * its line is read before it exits). The pieces: a fixed bit of JavaScript (JSON out and back in, a small map
 * filled); a 100-byte round trip over loopback TCP (both ends in this process: the kernel's network path a
 * delivery takes, without another process's wake-up); an 8 KiB write made durable with `fdatasync`, in the OS's
 * temporary directory (on this project's machines the disk PostgreSQL's commits wait for).
 * `node --import tsx bench/load/host-work.ts <runs> <pauseMs>`
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, numberArg } from '../lib/command-line.ts';
import { percentile } from '../lib/stats.ts';

export interface HostProbe {
  pauseMs: number;
  jsBusyMicros: number;
  jsAfterPauseMicros: number;
  loopbackBusyMicros: number;
  loopbackAfterPauseMicros: number;
  fdatasyncMicros: number;
}

const { positionals } = commandLine({});
const runs = numberArg(positionals[0], 100, 'runs');
const pauseMs = numberArg(positionals[1], 50, 'pauseMs');

const frame = {
  id: 1,
  result: {
    type: 'data',
    id: '4821',
    data: {
      seq: 4821,
      body: 'see you at the station at six, the usual platform',
      sender: { id: 7, name: 'alice' },
    },
  },
};

function work(): number {
  let sum = 0;
  for (let i = 0; i < 20; i++) {
    const text = JSON.stringify(frame);
    sum += JSON.parse(text).result.data.seq + text.length;
    const seen = new Map<string, { i: number }>();
    for (let j = 0; j < 20; j++) seen.set(`k${j}`, { i: j });
    sum += seen.size;
  }
  return sum;
}

async function timedMicros(task: () => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  await task();
  return Number(process.hrtime.bigint() - started) / 1_000;
}

const median = (values: number[]) => percentile(Float64Array.from(values).sort(), 50);

/** The task's median time back to back, then after `pauseMs` of idle before each run. */
async function busyAndAfterPause(task: () => unknown): Promise<[number, number]> {
  const busy: number[] = [];
  for (let i = 0; i < runs; i++) busy.push(await timedMicros(task));
  const afterPause: number[] = [];
  for (let i = 0; i < runs; i++) {
    await sleep(pauseMs);
    afterPause.push(await timedMicros(task));
  }
  return [median(busy), median(afterPause)];
}

/** An echo server and a client of it over loopback TCP; `roundTrip()` sends 100 bytes and waits for all 100 back. */
async function loopbackEcho(): Promise<{ roundTrip(): Promise<void>; close(): void }> {
  const server = createServer({ noDelay: true }, (socket) =>
    socket.on('data', (chunk) => socket.write(chunk)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const client = connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise((resolve) => client.once('connect', resolve));
  const payload = Buffer.alloc(100, 'x');
  let awaited = 0;
  let echoed = () => {};
  client.on('data', (chunk) => {
    awaited -= chunk.length;
    if (awaited <= 0) echoed();
  });
  return {
    roundTrip: () =>
      new Promise<void>((resolve) => {
        awaited = payload.length;
        echoed = resolve;
        client.write(payload);
      }),
    close() {
      client.destroy();
      server.close();
    },
  };
}

/** The median time to write 8 KiB over the same page of a new file and `fdatasync` it. */
async function fdatasyncMicros(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-host-'));
  const file = openSync(join(dir, 'probe'), 'w');
  const page = Buffer.alloc(8_192, 'x');
  try {
    const syncs: number[] = [];
    for (let i = 0; i < Math.max(10, runs / 2); i++)
      syncs.push(
        await timedMicros(() => {
          writeSync(file, page, 0, page.length, 0);
          fdatasyncSync(file);
        }),
      );
    return median(syncs);
  } finally {
    closeSync(file);
    rmSync(dir, { recursive: true });
  }
}

// Optimised first, so both figures time the same machine code.
for (let i = 0; i < 2_000; i++) work();
const [jsBusyMicros, jsAfterPauseMicros] = await busyAndAfterPause(work);

const echo = await loopbackEcho();
for (let i = 0; i < 200; i++) await echo.roundTrip();
const [loopbackBusyMicros, loopbackAfterPauseMicros] = await busyAndAfterPause(() => echo.roundTrip());
echo.close();

const probe: HostProbe = {
  pauseMs,
  jsBusyMicros,
  jsAfterPauseMicros,
  loopbackBusyMicros,
  loopbackAfterPauseMicros,
  fdatasyncMicros: await fdatasyncMicros(),
};
console.log(JSON.stringify(probe));
// Until stopped, or until the parent goes (its end of stdin closes).
process.stdin.on('end', () => process.exit(0)).resume();
