/**
 * Scenario 5, connections: many authenticated sockets, each following the public room; memory per socket and
 * connects a second, of a first crowd on the freshly started server (which compiles its hot code while they
 * connect) and, once they have left, of as many other people on the running server. Then the instance the second
 * crowd is on is killed outright and started again while messages keep being sent through a second instance, and
 * the suite times until every socket has resumed and has every message.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type BenchDatabase,
  benchDatabase,
  freePort,
  publicRoomId,
  seedRoomsInPairs,
  seedUsers,
  startParley,
} from './lib/parley.ts';
import { ask, cpuMicros, loadCpu, rssBytes, spawnNode, startRelay } from './lib/processes.ts';
import { printTable } from './lib/table.ts';
import type { BareConnectsCommand, BareConnectsRequest } from './load/bare-connects-load.ts';
import type { ConnectionsRequest } from './load/connections-load.ts';
import { HttpCaller } from './load/http-call.ts';

export interface ConnectionsOptions {
  sockets: number;
  addresses: number;
  sendRate: number;
  /**
   * Each socket also opens its notifications and follows its own private room, as a web tab open on a conversation
   * does (`--tabs`); the scenario's own sockets follow the public room alone.
   */
  tabs?: boolean;
  serverNodeArgs?: string[];
}

export const fullConnections: ConnectionsOptions = { sockets: 10_000, addresses: 8, sendRate: 10 };
export const quickConnections: ConnectionsOptions = { sockets: 200, addresses: 2, sendRate: 5 };

interface Progress {
  connected?: number;
  left?: number;
  connectsPerSecond?: number;
  caughtUpSeconds?: number;
  behind?: number;
  gaps?: number;
  duplicates?: number;
  reconnects?: number;
  endings?: Record<string, number>;
  timeline?: [seconds: number, live: number, caughtUp: number][];
}

/**
 * The baseline of the run: as many sockets opened to a bare `ws` server (bench/baseline/server.ts) on the server's
 * core, from as many addresses, 250 at a time, each upgrade carrying a token as long; a first crowd on the fresh
 * relay, then, once it has left, a second, as Parley's connects are measured. What a connect costs on this host
 * before anything Parley does (its session, its subscription); connects/s is an absolute target, and hosts differ
 * by two or three times in what a connect costs them.
 */
async function bareConnects(options: ConnectionsOptions, tokenLength: number) {
  const { relay, port } = await startRelay();
  const load = spawnNode('bench/load/bare-connects-load.ts', { cpu: loadCpu, ipc: true });
  try {
    const request: BareConnectsRequest = {
      wsUrl: `ws://127.0.0.1:${port}`,
      sockets: options.sockets,
      addresses: options.addresses,
      tokenLength,
    };
    await ask(load, request);
    const crowd = async () => {
      const cpuFrom = cpuMicros(relay.pid);
      const command: BareConnectsCommand = { type: 'crowd' };
      const { connectsPerSecond } = await ask<{ connectsPerSecond: number }>(load, command);
      return {
        connectsPerSecond,
        serverCpuMicrosPerConnect: Math.round((cpuMicros(relay.pid) - cpuFrom) / options.sockets),
      };
    };
    const fresh = await crowd();
    await ask(load, { type: 'leave' } satisfies BareConnectsCommand);
    await sleep(1_000);
    return { fresh, running: await crowd() };
  } finally {
    await load.stop();
    await relay.stop();
  }
}

/** `count` people, and with `--tabs` a private room for each pair of them (an odd one out has none). */
async function seedCrowd(db: BenchDatabase, count: number, tabs: boolean) {
  const people = await seedUsers(db, count);
  return {
    tokens: people.map((person) => person.token),
    privateRoomIds: tabs ? await seedRoomsInPairs(db, people) : people.map(() => null),
  };
}

export async function runConnections(options: ConnectionsOptions) {
  const db = await benchDatabase();
  const problems: string[] = [];
  const redisPrefix = `parley_bench_${randomBytes(4).toString('hex')}:`;
  const port = await freePort();
  // A profiled server writes its profile as it exits: it must not be cut by the stop's 10 s deadline while
  // 10,000 sockets drain.
  const profiled = options.serverNodeArgs?.includes('--cpu-prof');
  const env = { WS_MAX_CONNECTIONS_PER_USER: '5', ...(profiled ? { SHUTDOWN_DEADLINE_SECONDS: '1' } : {}) };
  const start = () =>
    startParley({ databaseUrl: db.url, redisPrefix, port, env, nodeArgs: options.serverNodeArgs });
  let a = await start();
  const b = await startParley({ databaseUrl: db.url, redisPrefix, env });
  const load = spawnNode('bench/load/connections-load.ts', { cpu: loadCpu, ipc: true });
  const caller = new HttpCaller(b.url);
  let sending = true;
  let result: Record<string, number> = {};
  try {
    const [sender] = await seedUsers(db, 1);
    const roomId = await publicRoomId(db);
    const freshCrowd = await seedCrowd(db, options.sockets, options.tabs ?? false);
    const crowd = await seedCrowd(db, options.sockets, options.tabs ?? false);
    console.log(`\nconnections: ${options.sockets} sockets`);
    const bare = await bareConnects(options, sender!.token.length);
    for (const [when, figures] of [
      ['fresh', bare.fresh],
      ['running', bare.running],
    ] as const) {
      console.log(
        `bare ws, the same connects (${when}): ${figures.connectsPerSecond} connects/s at ${figures.serverCpuMicrosPerConnect} µs of its CPU each`,
      );
    }
    await sleep(1_000);
    const rssBefore = rssBytes(a.proc.pid);
    const progress: Progress[] = [];
    const next = async () => {
      while (!progress.length) await sleep(20);
      return progress.shift()!;
    };
    load.child.on('message', (message: { progress?: Progress; error?: string }) => {
      if (message.progress) progress.push(message.progress);
      if (message.error) progress.push({ behind: -1 });
    });
    // Both sides of a connect cost about as much: a rate is bound by whichever is dearer.
    const cpuPerConnect = async (connecting: () => Promise<Progress>) => {
      const cpuFrom = [cpuMicros(a.proc.pid), cpuMicros(load.pid)];
      const connected = await connecting();
      const [server, generator] = [a.proc.pid, load.pid].map((pid, i) =>
        Math.round((cpuMicros(pid) - cpuFrom[i]!) / options.sockets),
      );
      console.log(
        `${connected.connectsPerSecond} connects/s; CPU per connect: the server's ${server} µs, the load generator's ${generator} µs`,
      );
      return { connectsPerSecond: connected.connectsPerSecond ?? 0, server: server!, load: generator! };
    };
    const request: ConnectionsRequest = {
      wsUrl: `${a.url.replace('http', 'ws')}/trpc`,
      roomId,
      freshTokens: freshCrowd.tokens,
      freshPrivateRoomIds: freshCrowd.privateRoomIds,
      tokens: crowd.tokens,
      addresses: options.addresses,
      notifications: options.tabs ?? false,
      privateRoomIds: crowd.privateRoomIds,
    };
    process.stdout.write('a first crowd on the fresh server: ');
    const fresh = await cpuPerConnect(() => {
      load.child.send(request);
      return next();
    });
    await sleep(2_000);
    const rssPerSocket = Math.round((rssBytes(a.proc.pid) - rssBefore) / options.sockets);
    // The first crowd leaves before the tracked one connects: twice as many sockets would pass the file
    // descriptors one process may hold (20,000 here).
    load.child.send({ type: 'leave' });
    await next();
    await sleep(2_000);
    process.stdout.write('the tracked crowd on the running server: ');
    const running = await cpuPerConnect(() => {
      load.child.send({ type: 'connect' });
      return next();
    });
    await sleep(2_000);

    // Messages keep coming through the other instance, before, during and after the restart.
    let n = 0;
    const sendLoop = (async () => {
      while (sending) {
        await caller.post('chat.send', sender!.token, {
          roomId,
          clientId: `storm-${n}-${randomBytes(3).toString('hex')}`,
          body: `storm ${n++}`,
        });
        await sleep(1_000 / options.sendRate);
      }
    })();
    await sleep(2_000);
    await a.proc.stop('SIGKILL');
    await sleep(2_000);
    a = await start();
    const since = Date.now();
    const stormCpuFrom = cpuMicros(a.proc.pid);
    const loadCpuFrom = cpuMicros(load.pid);
    const [row] = await db.query<{ position: string }>('select position from rooms where id = $1', [roomId]);
    load.child.send({ type: 'caughtUp', position: Number(row!.position), since, timeoutMs: 60_000 });
    const storm = await next();
    const stormCpuSeconds = (cpuMicros(a.proc.pid) - stormCpuFrom) / 1e6;
    // Its clients read every resumed backlog and live frame: when it is as busy as its core, it is the bound.
    const loadCpuSeconds = (cpuMicros(load.pid) - loadCpuFrom) / 1e6;
    const phases = (storm.timeline ?? []).map(([s, live, caughtUp]) => `${s}s ${live}/${caughtUp}`);
    console.log(`after the restart (seconds, sockets subscribed / caught up): ${phases.join(', ')}`);
    console.log(`sockets ended after the restart, by why: ${JSON.stringify(storm.endings ?? {})}`);
    console.log(
      `until all caught up (or the timeout): the restarted server's CPU ${stormCpuSeconds.toFixed(1)} s, ` +
        `the load generator's ${loadCpuSeconds.toFixed(1)} s`,
    );
    sending = false;
    await sendLoop;
    load.child.send({ type: 'end' });
    result = {
      sockets: options.sockets,
      connectsPerSecond: running.connectsPerSecond,
      rssPerSocketBytes: rssPerSocket,
      serverCpuMicrosPerConnect: running.server,
      loadCpuMicrosPerConnect: running.load,
      freshConnectsPerSecond: fresh.connectsPerSecond,
      freshServerCpuMicrosPerConnect: fresh.server,
      freshLoadCpuMicrosPerConnect: fresh.load,
      restartCaughtUpSeconds: storm.caughtUpSeconds ?? -1,
      behind: storm.behind ?? -1,
      gaps: storm.gaps ?? -1,
      duplicates: storm.duplicates ?? -1,
      reconnects: storm.reconnects ?? 0,
      stormServerCpuSeconds: Number(stormCpuSeconds.toFixed(1)),
      stormLoadCpuSeconds: Number(loadCpuSeconds.toFixed(1)),
      bareConnectsPerSecond: bare.running.connectsPerSecond,
      bareServerCpuMicrosPerConnect: bare.running.serverCpuMicrosPerConnect,
      bareFreshConnectsPerSecond: bare.fresh.connectsPerSecond,
      bareFreshServerCpuMicrosPerConnect: bare.fresh.serverCpuMicrosPerConnect,
    };
    if (storm.behind) problems.push(`connections: ${storm.behind} sockets never caught up after the restart`);
    if (storm.gaps || storm.duplicates)
      problems.push(`connections: ${storm.gaps} missed and ${storm.duplicates} repeated across the restart`);
  } finally {
    sending = false;
    caller.close();
    await load.stop();
    await Promise.all([a.stop(), b.stop()]);
    await db.drop();
  }
  printTable(
    `connections (${options.sockets} authenticated sockets following the public room${options.tabs ? ', each with its notifications and its private room' : ''})`,
    [
      'connects/s',
      'bare ws connects/s',
      'on a fresh server',
      'bare ws, fresh',
      'RSS per socket',
      'restart: all caught up',
      'missed',
      'repeated',
    ],
    [
      [
        result.connectsPerSecond!,
        result.bareConnectsPerSecond!,
        result.freshConnectsPerSecond!,
        result.bareFreshConnectsPerSecond!,
        `${((result.rssPerSocketBytes ?? 0) / 1024).toFixed(1)} KiB`,
        `${result.restartCaughtUpSeconds} s`,
        result.gaps!,
        result.duplicates!,
      ],
    ],
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/connections.json',
    `${JSON.stringify({ at: new Date().toISOString(), options, result }, null, 2)}\n`,
  );
  return { problems };
}
