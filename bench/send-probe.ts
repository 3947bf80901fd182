/**
 * What one socket send costs its instance when nothing else happens: one instance on Redis (as each of the two in
 * the conversations scenario), one person following their private room on their socket and sending N messages one
 * after another, each waiting for its answer, so no two share a turn, a statement or a write. Reports the server's
 * write system calls, CPU and Redis commands per send: the first and the last do not depend on how busy the machine
 * is, nor on how many sends a busy instance gathers in one turn. First `--warm-up` sends, not counted: sent one at a
 * time, the path's functions take thousands of sends to be optimised, and over the first 3,000 after 50 TurboFan
 * was a quarter of the server's CPU (docs/performance.md, entry 75).
 * `BENCH_REDIS_URL=redis://… node --import tsx bench/send-probe.ts [sends] [--warm-up=10000]` (the server runs on
 * core 0).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { commandLine, numberArg } from './lib/command-line.ts';
import {
  benchDatabase,
  type ParleyInstance,
  redisUrl,
  seedPrivateRooms,
  seedUsers,
  startParley,
} from './lib/parley.ts';
import { cpuMicros, writeCalls } from './lib/processes.ts';
import { redisCommands } from './lib/redis-stats.ts';
import { SocketCaller } from './load/socket-call.ts';

const { values: options, positionals } = commandLine({ 'warm-up': { type: 'string' } });
const sends = numberArg(positionals[0], 500, 'sends');
const warmUp = numberArg(options['warm-up'], 10_000, '--warm-up');

/** A socket signed in with `token`, following `roomId` from its start, and a caller for its mutations. */
async function follower(instance: ParleyInstance, token: string, roomId: number): Promise<SocketCaller> {
  const socket = new WebSocket(`${instance.url.replace('http', 'ws')}/trpc`, {
    perMessageDeflate: false,
    headers: { authorization: `Bearer ${token}` },
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const caller = new SocketCaller(socket);
  const started = new Promise<void>((resolve) =>
    socket.on('message', (frame: Buffer) => {
      if (!caller.settle(frame) && frame.includes('"started"')) resolve();
    }),
  );
  const input = { roomId, lastEventId: '0' };
  socket.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.onRoomEvent', input } }));
  await started;
  return caller;
}

async function sendEach(caller: SocketCaller, roomId: number, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const ok = await caller.mutate('chat.send', {
      roomId,
      clientId: `probe-${tag}-${i}`,
      body: `probe ${i}`,
    });
    if (!ok) throw new Error(`A send failed: ${[...caller.failures.keys()].join(', ')}`);
  }
}

const db = await benchDatabase('parley_send_probe');
const instance = await startParley({
  databaseUrl: db.url,
  redisPrefix: `parley_probe_${randomBytes(4).toString('hex')}:`,
});
try {
  const [sender, other] = await seedUsers(db, 2);
  const [roomId] = await seedPrivateRooms(db, [[sender!.id, other!.id]]);
  const caller = await follower(instance, sender!.token, roomId!);
  await sendEach(caller, roomId!, warmUp, 'warm');
  const before = { writes: writeCalls(instance.proc.pid), cpu: cpuMicros(instance.proc.pid) };
  const redisBefore = await redisCommands(redisUrl);
  await sendEach(caller, roomId!, sends, 'send');
  const per = (from: number, to: number) => ((to - from) / sends).toFixed(2);
  const redisAfter = await redisCommands(redisUrl);
  console.log(
    `${sends} sends one after another: ${per(before.writes, writeCalls(instance.proc.pid))} write system calls, ` +
      `${Math.round((cpuMicros(instance.proc.pid) - before.cpu) / sends)} µs of server CPU and ` +
      `${per(redisBefore.total, redisAfter.total)} Redis commands (all clients') per send`,
  );
} finally {
  await instance.stop();
  await db.drop();
}
