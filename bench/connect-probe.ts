/**
 * What one connect costs the server: opens N token-authenticated sockets that each follow the public room (as the
 * connections scenario's clients do, 250 at a time), and reports server CPU per connect, RSS per socket and
 * PostgreSQL statements per connect (from the server's statement log on its throwaway database). First
 * `--warm-up` other sockets connect and stay, not counted: a fresh server compiles its connect path over its first
 * thousands of connects (docs/performance.md, entry 72); `--warm-up=20` measures a nearly fresh server.
 * `taskset -c 1 node --import tsx bench/connect-probe.ts [sockets] [--warm-up=3000] [--profile] [--tabs]` (the
 * server runs on core 0; `--profile` puts it under `--cpu-prof` into bench/results/profiles and summarises the profile; `--tabs`: each
 * socket also opens its notifications and its session and follows a private room it shares with one other, as a
 * web tab does).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, numberArg } from './lib/command-line.ts';
import { followRoom } from './lib/follow-room.ts';
import { benchDatabase, publicRoomId, seedRoomsInPairs, seedUsers, startParley } from './lib/parley.ts';
import { processUsage, rssBytes } from './lib/processes.ts';
import { inWaves } from './lib/waves.ts';
import type { FrameSocket } from './load/frame-socket.ts';
import { summariseProfile } from './profile-summary.ts';

const postgresLog = '/var/log/postgresql/postgresql-15-main.log';
const profileDir = 'bench/results/profiles';

/** Statements PostgreSQL logged for `database` so far (needs `log_statement = all` on it). */
function statementsLogged(database: string): number {
  const log = readFileSync(postgresLog, 'utf8');
  const marker = `@${database} LOG:  `;
  let count = 0;
  for (let at = log.indexOf(marker); at >= 0; at = log.indexOf(marker, at + 1)) {
    const rest = log.slice(at + marker.length, at + marker.length + 16);
    if (rest.startsWith('statement:') || rest.startsWith('execute')) count++;
  }
  return count;
}

async function probe(count: number, warmUp: number, profile: boolean, tabs: boolean) {
  const db = await benchDatabase();
  // Before the server opens its connections: the setting applies to sessions that start after it.
  const database = new URL(db.url).pathname.slice(1);
  await db.query(`alter database ${database} set log_statement = 'all'`);
  const startedAt = Date.now();
  const server = await startParley({
    databaseUrl: db.url,
    redisPrefix: `parley_probe_${randomBytes(4).toString('hex')}:`,
    env: { WS_MAX_CONNECTIONS_PER_USER: '5' },
    nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  const sockets: FrameSocket[] = [];
  try {
    const people = await seedUsers(db, warmUp + count);
    const roomId = await publicRoomId(db);
    const privateRooms = tabs ? await seedRoomsInPairs(db, people) : [];
    const tabOf = (at: number) => ({
      notifications: tabs,
      session: tabs,
      privateRoomId: privateRooms[at],
    });
    const wsUrl = `${server.url.replace('http', 'ws')}/trpc`;
    const follow = (at: number) => followRoom(wsUrl, people[at]!.token, roomId, at, tabOf(at));
    // Warm up (the connect path compiled, the room's stream open), then start counting.
    sockets.push(...(await inWaves(0, warmUp, follow)));
    await sleep(1_000);
    const pid = server.proc.pid;
    const [rss, usage, statements, at] = [
      rssBytes(pid),
      processUsage(pid),
      statementsLogged(database),
      performance.now(),
    ];
    const measured = people.slice(warmUp);
    const windowStart = process.hrtime.bigint();
    sockets.push(...(await inWaves(warmUp, people.length, follow)));
    const seconds = (performance.now() - at) / 1000;
    const windowMicros = [Number(windowStart / 1000n), Number(process.hrtime.bigint() / 1000n)];
    const used = processUsage(pid, usage);
    const [userPerConnect, systemPerConnect, mainThreadPerConnect] = [
      used.user / measured.length,
      used.system / measured.length,
      used.mainThread / measured.length,
    ];
    await sleep(2_000);
    const rssPerSocket = (rssBytes(pid) - rss) / measured.length;
    const statementsPerConnect = (statementsLogged(database) - statements) / measured.length;
    console.log(
      JSON.stringify({
        sockets: measured.length,
        connectsPerSecond: Math.round(measured.length / seconds),
        serverCpuMicrosPerConnect: Math.round(userPerConnect + systemPerConnect),
        ofWhichKernel: Math.round(systemPerConnect),
        // The rest is V8's helper threads (concurrent marking and sweeping, parallel scavenges) and libuv's.
        ofWhichMainThread: Math.round(mainThreadPerConnect),
        rssKiBPerSocket: Number((rssPerSocket / 1024).toFixed(1)),
        statementsPerConnect: Number(statementsPerConnect.toFixed(2)),
        windowMicros,
      }),
    );
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
    await db.drop();
  }
  if (!profile) return;
  const written = readdirSync(profileDir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(profileDir, name))
    .filter((path) => statSync(path).mtimeMs >= startedAt);
  for (const path of written) summariseProfile(path, 30, 0.3);
}

const { values: options, positionals } = commandLine({
  'warm-up': { type: 'string' },
  profile: { type: 'boolean' },
  tabs: { type: 'boolean' },
});
const count = numberArg(positionals[0], 2_000, 'sockets');
const warmUp = numberArg(options['warm-up'], 3_000, '--warm-up');
await probe(count, warmUp, options.profile === true, options.tabs === true);
