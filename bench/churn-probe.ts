/**
 * What people coming and going cost a busy instance: N token-authenticated sockets follow the public room on one
 * instance on Redis, then for `--seconds` one of them closes and a new person's socket opens every 100 ms (ten
 * leave and ten come a second, as on a big instance's quiet hour). Prints the server's and Redis's CPU a second
 * over that window, and the same over a window as long with nobody coming or going (`--idle`), for the difference.
 * `taskset -c 1 node --import tsx bench/churn-probe.ts [sockets] [--seconds=20] [--idle]` (the server runs on core 0)
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, numberArg } from './lib/command-line.ts';
import { followRoom } from './lib/follow-room.ts';
import { benchDatabase, publicRoomId, redisUrl, seedUsers, startParley } from './lib/parley.ts';
import { cpuMicros } from './lib/processes.ts';
import { redisCommands } from './lib/redis-stats.ts';
import { inWaves } from './lib/waves.ts';
import type { FrameSocket } from './load/frame-socket.ts';

const { values: options, positionals } = commandLine({
  seconds: { type: 'string' },
  idle: { type: 'boolean' },
});
const sockets = numberArg(positionals[0], 5_000, 'sockets');
const seconds = numberArg(options.seconds, 20, '--seconds');
const idle = options.idle === true;

const db = await benchDatabase('parley_churn_probe');
const instance = await startParley({
  databaseUrl: db.url,
  redisPrefix: `parley_churn_${randomBytes(4).toString('hex')}:`,
});
const open: FrameSocket[] = [];
try {
  const people = await seedUsers(db, sockets + seconds * 10 + 10);
  const roomId = await publicRoomId(db);
  const wsUrl = `${instance.url.replace('http', 'ws')}/trpc`;
  const follow = (index: number) => followRoom(wsUrl, people[index]!.token, roomId, index);
  open.push(...(await inWaves(0, sockets, follow)));
  // The connects' own aftermath (presence, the memory reducer) settles first.
  await sleep(6_000);
  const [serverFrom, redisFrom] = [cpuMicros(instance.proc.pid), (await redisCommands(redisUrl)).cpuMicros];
  const started = Date.now();
  let next = sockets;
  while (Date.now() - started < seconds * 1_000) {
    if (!idle) {
      open.shift()?.terminate();
      open.push(await follow(next++));
    }
    await sleep(100);
  }
  const elapsed = (Date.now() - started) / 1000;
  const perSecond = (micros: number) => Math.round(micros / elapsed / 1000);
  const server = perSecond(cpuMicros(instance.proc.pid) - serverFrom);
  const redis = perSecond((await redisCommands(redisUrl)).cpuMicros - redisFrom);
  const what = idle ? 'nobody coming or going' : `${next - sockets} left and as many came`;
  console.log(
    `${sockets} sockets, ${what} in ${elapsed.toFixed(1)} s: server ${server} ms of CPU a second, Redis ${redis}`,
  );
} finally {
  for (const socket of open) socket.terminate();
  await instance.stop();
  await db.drop();
}
