/**
 * What a quiet server's loopback write costs in Node, with and without Node's stream layer: a writer (on the
 * server's core) holds N connections from this process and every 200 ms writes one 400-byte buffer to each, timing
 * the loop, by turns through `socket.write` and straight through the TCP handle's `writeBuffer` (what
 * `socket.write` ends in; Node's internal binding, fit for a probe only). What is left under the second is the
 * system call and the kernel's loopback TCP, both ends of it (docs/performance.md, entry 92).
 * `taskset -c 1 node --import tsx bench/write-floor-probe.ts [--sockets=1000] [--rounds=30]`
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { commandLine, numberArg } from './lib/command-line.ts';
import { serverCpu, spawnNode, waitForLine } from './lib/processes.ts';
import { percentile, round } from './lib/stats.ts';
import { printTable } from './lib/table.ts';

const { values: options } = commandLine({
  sockets: { type: 'string' },
  rounds: { type: 'string' },
  writer: { type: 'boolean' },
});
const socketCount = numberArg(options.sockets, 1_000, '--sockets');
const rounds = numberArg(options.rounds, 30, '--rounds');

interface WriteRequest {
  handle: unknown;
  oncomplete(): void;
}
type TcpHandle = { writeBuffer(request: WriteRequest, data: Buffer): number };
const { WriteWrap } = (
  process as unknown as { binding(name: 'stream_wrap'): { WriteWrap: new () => WriteRequest } }
).binding('stream_wrap');

const data = Buffer.alloc(400, 'x');
const ways: Record<string, (socket: Socket) => void> = {
  'socket.write': (socket) => socket.write(data),
  "the handle's writeBuffer": (socket) => {
    const handle = (socket as unknown as { _handle: TcpHandle })._handle;
    const request = new WriteWrap();
    request.handle = handle;
    request.oncomplete = () => {};
    handle.writeBuffer(request, data);
  },
};

/** Accepts `socketCount` connections, then times the write loops and sends the medians and tenths back. */
async function writer(): Promise<void> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' ? address?.port : address}\n`);
  await new Promise((resolve) => process.once('message', resolve));
  const perWrite: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((way) => [way, []]));
  for (let run = 0; run < rounds; run++) {
    for (const [way, write] of Object.entries(ways)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const start = process.hrtime.bigint();
      for (const socket of sockets) write(socket);
      perWrite[way]!.push(Number(process.hrtime.bigint() - start) / 1e3 / sockets.length);
    }
  }
  const summary = Object.entries(perWrite).map(([way, micros]) => {
    const sorted = Float64Array.from(micros).sort();
    return [way, round(percentile(sorted, 50), 2), round(percentile(sorted, 10), 2)];
  });
  process.send?.(summary, undefined, undefined, () => process.exit(0));
}

if (options.writer) await writer();
else {
  const writing = spawnNode('bench/write-floor-probe.ts', {
    cpu: serverCpu,
    args: ['--writer', `--sockets=${socketCount}`, `--rounds=${rounds}`],
    ipc: true,
  });
  try {
    const [, port] = await waitForLine(writing, /listening (\d+)/);
    const readers = await Promise.all(
      Array.from(
        { length: socketCount },
        () =>
          new Promise<Socket>((resolve) => {
            const socket = tcpConnect(Number(port), '127.0.0.1', () => resolve(socket));
            socket.on('data', () => {});
          }),
      ),
    );
    const summary = new Promise<(string | number)[][]>((resolve) => writing.child.once('message', resolve));
    writing.child.send('go');
    printTable(
      `a write of 400 bytes to each of ${socketCount} loopback sockets every 200 ms, ${rounds} rounds (µs a write)`,
      ['written through', 'median', 'tenth'],
      await summary,
    );
    for (const reader of readers) reader.destroy();
  } finally {
    await writing.stop();
  }
}
