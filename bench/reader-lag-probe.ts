/**
 * Whether the load generator keeps up with the server it times: the bare relay (on the server's core) times its own
 * writes of each message to N readers on the monotonic clock, and the readers (here, on the load generator's core)
 * time their receipts on the same clock. Per client, alternated: a message's first receipt and its spread (as
 * fan-out reports them), the relay's write loop, and how long after the relay's last write the last reader read it.
 * A reader that keeps up reads the last copy as it leaves (docs/performance.md, entry 88). With `--spin` the lean
 * client takes turns with itself never sleeping (a chain of immediates keeps libuv polling without waiting), so
 * the relay's writes never have to wake it (entry 92).
 * `taskset -c 1 node --import tsx bench/reader-lag-probe.ts [--readers=1000] [--rate=5] [--seconds=10] [--runs=2]
 * [--spin]`
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { commandLine, numberArg } from './lib/command-line.ts';
import { serverCpu, spawnNode, waitForLine } from './lib/processes.ts';
import { percentile, round } from './lib/stats.ts';
import { printTable } from './lib/table.ts';
import { FrameSocket } from './load/frame-socket.ts';

const { values: options } = commandLine({
  readers: { type: 'string' },
  rate: { type: 'string' },
  seconds: { type: 'string' },
  runs: { type: 'string' },
  spin: { type: 'boolean' },
});
const readerCount = numberArg(options.readers, 1_000, '--readers');
const rate = numberArg(options.rate, 5, '--rate');
const seconds = numberArg(options.seconds, 10, '--seconds');
const runs = numberArg(options.runs, 2, '--runs');

type Client = 'ws' | 'FrameSocket' | 'FrameSocket, never sleeping';
const clients: Client[] = options.spin
  ? ['FrameSocket', 'FrameSocket, never sleeping']
  : ['ws', 'FrameSocket'];
const clock = () => Number(process.hrtime.bigint()) / 1e6;
const tilde = 126;
const padding = 'x'.repeat(300);

const median = (values: number[]) => round(percentile(Float64Array.from(values).sort(), 50), 2);

/** N readers of one kind, each calling `onCopy` with a copy's message number as it reads it. */
async function openReaders(client: Client, url: string, onCopy: (seq: number) => void) {
  const seqOf = (frame: Buffer) => {
    let seq = 0;
    for (let i = frame.indexOf(tilde) + 1; frame[i] !== tilde; i++) seq = seq * 10 + frame[i]! - 48;
    return seq;
  };
  const open = async () => {
    if (client !== 'ws') return FrameSocket.open(url, { onText: (frame) => onCopy(seqOf(frame)) });
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('message', (frame: Buffer) => onCopy(seqOf(frame)));
    await new Promise((resolve) => socket.once('open', resolve));
    return socket;
  };
  const readers: (WebSocket | FrameSocket)[] = [];
  for (let from = 0; from < readerCount; from += 200)
    readers.push(...(await Promise.all(Array.from({ length: Math.min(200, readerCount - from) }, open))));
  return readers;
}

const relay = spawnNode('bench/baseline/server.ts', {
  cpu: serverCpu,
  env: { ...process.env, PORT: '0', DATABASE_URL: '' },
  ipc: true,
});
try {
  const [, port] = await waitForLine(relay, /listening (\d+)/);
  const url = `ws://127.0.0.1:${port}`;
  const rows = [];
  for (let run = 0; run < runs; run++) {
    for (const client of clients) {
      let spinning = client === 'FrameSocket, never sleeping';
      const spin = () => spinning && setImmediate(spin);
      spin();
      const total = rate * seconds;
      const sentAt = new Float64Array(total + 1);
      const firstAt = new Float64Array(total + 1);
      const lastAt = new Float64Array(total + 1);
      const readers = await openReaders(client, url, (seq) => {
        const now = clock();
        if (!firstAt[seq]) firstAt[seq] = now;
        lastAt[seq] = now;
      });
      const sender = new WebSocket(url, { perMessageDeflate: false });
      await new Promise((resolve) => sender.once('open', resolve));
      // Paced as fan-out paces: a tick a millisecond, so this process is as awake as the bench's generator.
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      let sent = 0;
      await new Promise<void>((resolve) => {
        const tick = () => {
          const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
          while (sent < due) {
            sentAt[++sent] = clock();
            sender.send(`{"message":"probe ~${sent}~ ${padding}"}`);
          }
          if (sent >= total) resolve();
          else setTimeout(tick, 1);
        };
        tick();
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      spinning = false;
      const cpu = process.cpuUsage(cpuBefore);
      relay.child.send('spans');
      const spans = await new Promise<string[]>((resolve) => relay.child.once('message', resolve));
      const at = (i: number) => Number(BigInt(spans[i]!)) / 1e6;
      const seqs = Array.from({ length: total }, (_, i) => i + 1);
      rows.push([
        client,
        median(seqs.map((seq) => firstAt[seq]! - sentAt[seq]!)),
        median(seqs.map((seq) => lastAt[seq]! - firstAt[seq]!)),
        median(seqs.map((seq) => at(2 * seq - 1) - at(2 * seq - 2))),
        median(seqs.map((seq) => lastAt[seq]! - at(2 * seq - 1))),
        round((cpu.user + cpu.system) / (total * readerCount), 2),
      ]);
      for (const reader of [...readers, sender]) reader.terminate();
    }
  }
  printTable(
    `reader lag: ${readerCount} readers of the bare relay, ${rate} msg/s for ${seconds} s (medians over messages, ms)`,
    ['client', 'first receipt', 'spread', "relay's writes", 'last read after last write', 'reader µs / copy'],
    rows,
  );
} finally {
  await relay.stop();
}
