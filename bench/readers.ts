/**
 * Scenario 2, readers: signed-in readers of the public room that behave like the web client (its read policy,
 * its subscriptions, typing now and then) while messages arrive at a steady rate. What a busy room costs the
 * server as a whole: its CPU, database transactions per message, and delivery latency.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { LoopReport } from './lib/loop-watch.ts';
import { loopWatchFile, takeLoopReport } from './lib/loop-window.ts';
import { benchDatabase, publicRoomId, seedUsers, startParley, transactions } from './lib/parley.ts';
import { runLoad } from './lib/processes.ts';
import { printTable } from './lib/table.ts';
import type { ReadersAnswer, ReadersRequest } from './load/readers-load.ts';

export interface ReadersOptions {
  readers: number;
  rate: number;
  durationMs: number;
  typingPerSecond: number;
  serverNodeArgs?: string[];
}

export const fullReaders: ReadersOptions = {
  readers: 1_000,
  rate: 10,
  durationMs: 20_000,
  typingPerSecond: 10,
};
export const quickReaders: ReadersOptions = { readers: 50, rate: 5, durationMs: 3_000, typingPerSecond: 2 };

export async function runReaders(options: ReadersOptions) {
  const db = await benchDatabase();
  const problems: string[] = [];
  let answer: ReadersAnswer;
  let perMessage: number;
  const loopFile = loopWatchFile('readers');
  rmSync(loopFile, { force: true });
  try {
    const server = await startParley({
      databaseUrl: db.url,
      nodeArgs: options.serverNodeArgs,
      loopWatchFile: loopFile,
    });
    try {
      const [sender, ...readers] = await seedUsers(db, options.readers + 1);
      const request: ReadersRequest = {
        wsUrl: `${server.url.replace('http', 'ws')}/trpc`,
        roomId: await publicRoomId(db),
        readers: readers.map((r) => r.token),
        senderToken: sender!.token,
        rate: options.rate,
        durationMs: options.durationMs,
        typingPerSecond: options.typingPerSecond,
        serverPid: server.proc.pid,
      };
      console.log(`\nreaders: ${options.readers} web-like readers, ${options.rate} messages/s`);
      let before = 0;
      answer = await runLoad<ReadersAnswer>('bench/load/readers-load.ts', request, async (_, load) => {
        before = await transactions(db);
        load.child.send({ go: true });
      });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      perMessage = Math.round(((await transactions(db)) - before) / answer.sent);
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
  if (answer.gaps || answer.duplicates)
    problems.push(`readers: ${answer.gaps} missing, ${answer.duplicates} repeated`);
  if (answer.delivered < answer.expected)
    problems.push(`readers: ${answer.delivered} of ${answer.expected} delivered`);
  if (answer.failedCalls) problems.push(`readers: ${answer.failedCalls} calls failed`);
  printTable(
    `readers (${options.readers} readers, ${options.rate} msg/s, ${options.typingPerSecond} typing signals/s)`,
    ['server CPU', 'DB transactions/msg', 'markRead calls', 'latency p50 / p99 ms'],
    [[`${answer.serverCpuPercent} %`, perMessage, answer.markReadCalls, `${answer.p50} / ${answer.p99}`]],
  );
  const loop = takeLoopReport(loopFile);
  printLoops(answer, loop);
  mkdirSync('bench/results', { recursive: true });
  const { ...result } = answer;
  writeFileSync(
    'bench/results/readers.json',
    `${JSON.stringify({ at: new Date().toISOString(), options, result, transactionsPerMessage: perMessage, serverLoop: loop }, null, 2)}\n`,
  );
  return { problems };
}

/** Where the time went: the first and the last reader of each message, and how late each side's loop ran. */
function printLoops(answer: ReadersAnswer, loop: LoopReport | null) {
  const { generator } = answer;
  printTable(
    "readers: per message, and each side's event loop (ms)",
    ['first reader p50', 'last reader p50 / p99', 'generator CPU, loop delay p99 / max'],
    [
      [
        answer.firstP50,
        `${answer.lastP50} / ${answer.lastP99}`,
        `${generator.cpuPercent} %, ${generator.delayP99} / ${generator.delayMax}`,
      ],
    ],
  );
  if (!loop) return;
  const stalled = loop.stalls.reduce((sum, stall) => sum + stall.lateMs, 0);
  // How long the server held its loop with its own work (CPU), whatever the core gave to other processes.
  const holds = [...loop.holds].sort((a, b) => a - b);
  const over = (ms: number) => holds.filter((hold) => hold > ms).length;
  printTable(
    "readers: the server's event loop over the measured window (ms)",
    [
      'delay p50 / p90 / p99 / max',
      'stalls > 20 ms: count, total',
      'loop held > 20 / 50 ms of CPU: count; max',
      'GC: pauses, total, max, over 10 ms',
    ],
    [
      [
        `${loop.delay.p50} / ${loop.delay.p90} / ${loop.delay.p99} / ${loop.delay.max}`,
        `${loop.stalls.length}, ${Math.round(stalled)}`,
        `${over(20)} / ${over(50)}; ${Math.round(holds.at(-1) ?? 0)}`,
        `${loop.gc.count}, ${Math.round(loop.gc.totalMs)}, ${Math.round(loop.gc.maxMs)}, ${loop.gc.over10ms}`,
      ],
    ],
  );
}
