/**
 * What an instance costs when nothing happens: N token-authenticated sockets follow the public room and nobody
 * says anything. Reports, round by round, the server's CPU a second (every thread, to the nanosecond) and its main
 * thread's wake-ups a second (voluntary context switches): what its own timers cost it, which a low fan-out step
 * carries in each delivery (docs/performance.md, entries 65 and 84). The first round or two still hold the
 * start-up's tail (presence, the first collections).
 * `node --import tsx bench/idle-probe.ts [subscribers] [--seconds=15] [--rounds=4]` (the server runs on core 0).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, numberArg } from './lib/command-line.ts';
import { followRoom } from './lib/follow-room.ts';
import { benchDatabase, publicRoomId, seedUsers, startParley } from './lib/parley.ts';
import { processUsage } from './lib/processes.ts';
import { inWaves, leaveAll } from './lib/waves.ts';

const { values: options, positionals } = commandLine({
  seconds: { type: 'string' },
  rounds: { type: 'string' },
});
const subscribers = numberArg(positionals[0], 100, 'subscribers');
const seconds = numberArg(options.seconds, 15, '--seconds');
const rounds = numberArg(options.rounds, 4, '--rounds');

/** Times the thread has given up its core to wait (for a timer, a socket): each is a wake-up to come. */
function waits(pid: number): number {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  return Number(status.match(/^voluntary_ctxt_switches:\s+(\d+)/m)?.[1] ?? 0);
}

const db = await benchDatabase('parley_idle_probe');
const instance = await startParley({ databaseUrl: db.url });
try {
  const people = await seedUsers(db, subscribers);
  const roomId = await publicRoomId(db);
  const wsUrl = `${instance.url.replace('http', 'ws')}/trpc`;
  const sockets = await inWaves(0, people.length, (i) => followRoom(wsUrl, people[i]!.token, roomId, i));
  const pid = instance.proc.pid;
  for (let round = 1; round <= rounds; round++) {
    const before = { usage: processUsage(pid), waits: waits(pid) };
    await sleep(seconds * 1000);
    const cpuMs = processUsage(pid, before.usage).onCpu / 1000;
    console.log(
      `round ${round}, ${subscribers} idle subscribers: ${(cpuMs / seconds).toFixed(2)} ms of CPU a second, ` +
        `${((waits(pid) - before.waits) / seconds).toFixed(1)} wake-ups a second`,
    );
  }
  await leaveAll(sockets);
} finally {
  await instance.stop();
  await db.drop();
}
