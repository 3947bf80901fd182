/**
 * Soak: two instances on one database and a Redis of this file's own. For SOAK_SECONDS (short in `npm test`,
 * minutes in `npm run soak`) people send to the public room while, at random, the pub/sub links are cut, Redis
 * restarts, tabs close and open again, and instance B restarts. Afterwards every tab's log equals the database's,
 * and instance A, which ran throughout, holds no socket, bus channel or room stream more than when it started,
 * and its memory grew by no more than a small bound.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectParley } from '../src/sdk/index.ts';
import { freePort } from '../src/server/db/database.ts';
import { until } from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import { seededDice } from './helpers/random.ts';
import { type OwnRedis, startOwnRedis } from './helpers/redis-server.ts';
import {
  anomalies,
  behind,
  createdIn,
  followFromStart,
  type Reader,
  range,
  type Sent,
  sendWithRetry,
  storedLog,
} from './helpers/room-log.ts';
import { createTestDatabase } from './helpers/server.ts';
import { type ServerProcess, type ServerProcessOptions, spawnServer } from './helpers/server-process.ts';
import { eventually, pause } from './helpers/sockets.ts';
import { type Account, registerUser, roomyLimits } from './helpers/users.ts';

const soakMs = Number(process.env.SOAK_SECONDS ?? 20) * 1000;
const people = 6;
/** How much instance A's resident memory may grow over the run, tabs closed, before it counts as a leak. */
const rssGrowthBoundBytes = 64 * 1024 * 1024;
const actions = ['cutPubSub', 'restartRedis', 'reopenTab', 'reopenTab', 'restartB'] as const;
type Action = (typeof actions)[number];

const dice = seededDice('SOAK_SEED');
const done: Record<Action, number> = { cutPubSub: 0, restartRedis: 0, reopenTab: 0, restartB: 0 };
let redis: OwnRedis;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: pg.Client;
let optionsOf: { a: ServerProcessOptions; b: ServerProcessOptions };
let a: ServerProcess;
let b: ServerProcess | null = null;
let roomId: number;
const readers: Reader[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  database = await createTestDatabase();
  const shared = {
    databaseUrl: database.url,
    redisPrefix: `parley-soak:${randomBytes(4).toString('hex')}:`,
    env: { ...roomyLimits, RATE_MUTATIONS_PER_MINUTE: '100000', REDIS_URL: redis.url, LOG_LEVEL: 'error' },
  };
  optionsOf = { a: { ...shared, port: await freePort() }, b: { ...shared, port: await freePort() } };
  a = await spawnServer(optionsOf.a);
  b = await spawnServer(optionsOf.b);
  db = await connectDatabase(database.url);
}, 60_000);

afterAll(async () => {
  await Promise.all(readers.map((reader) => reader.connection.close()));
  await b?.stop('SIGTERM');
  await a?.stop('SIGTERM');
  await db?.end();
  await database?.drop();
  await redis?.close();
}, 60_000);

/** The resident memory of a process, from the kernel. */
function rssOf(pid: number): number {
  const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

/** Instance A's own counts, as an admin sees them. */
async function countsOfA(admin: Account) {
  const connection = connectParley({ url: a.url, cookie: admin.cookie });
  try {
    const { instances } = await connection.client.admin.stats.query();
    const found = instances.find((instance) => instance.pid === a.pid);
    if (!found) throw new Error(`A (pid ${a.pid}) is not among ${JSON.stringify(instances)}`);
    return found;
  } finally {
    await connection.close();
  }
}

/** Even-numbered people use instance A, the others B (whose address stays the same across its restarts). */
const urlFor = (index: number) => `http://127.0.0.1:${(index % 2 === 0 ? optionsOf.a : optionsOf.b).port}`;

function tabOf(account: Account, index: number, generation = 0): Reader {
  const name = `${account.username} on ${index % 2 === 0 ? 'A' : 'B'} #${generation}`;
  return followFromStart(urlFor(index), account, roomId, name);
}

async function act(action: Action, accounts: Account[]): Promise<void> {
  done[action]++;
  if (action === 'cutPubSub') {
    await redis.command('CLIENT', 'KILL', 'TYPE', 'pubsub');
  } else if (action === 'restartRedis') {
    await redis.stop();
    await pause(dice.int(200, 1_500));
    await redis.start();
  } else if (action === 'reopenTab') {
    // A tab closes; a new one opens and follows the room from the start, as after a reload.
    const index = dice.int(0, readers.length - 1);
    const old = readers[index]!;
    await old.connection.close();
    readers[index] = tabOf(old.account, accounts.indexOf(old.account), done.reopenTab);
  } else {
    const stopping = b;
    b = null;
    await stopping?.stop('SIGTERM');
    await pause(dice.int(0, 800));
    b = await spawnServer(optionsOf.b);
  }
}

async function sendUntil(account: Account, index: number, deadline: number): Promise<Sent[]> {
  const connection = connectParley({ url: urlFor(index), cookie: account.cookie });
  const sent: Sent[] = [];
  try {
    for (let n = 0; Date.now() < deadline; n++) {
      const input = {
        roomId,
        clientId: `soak-${index}-${n}-${randomBytes(3).toString('hex')}`,
        body: `#${n}`,
      };
      sent.push(await sendWithRetry(connection, input, { deadline: deadline + 30_000 }));
      await pause(dice.int(80, 300));
    }
  } finally {
    await connection.close();
  }
  return sent;
}

it(
  'after sends, pub/sub cuts, Redis and instance restarts and reopened tabs, every tab has the database log and A leaks nothing',
  async () => {
    const [admin, ...accounts] = await Promise.all(
      Array.from({ length: people + 1 }, () => registerUser({ url: a.url })),
    );
    await db.query(`update users set role = 'admin' where username = $1`, [admin!.username]);
    roomId = (await db.query<{ id: number }>(`select id from rooms where kind = 'public'`)).rows[0]!.id;
    const atStart = await countsOfA(admin!);
    const rssAtStart = rssOf(a.pid);

    readers.push(...accounts.map((account, index) => tabOf(account, index)));
    await eventually(() => (readers.every((r) => r.starts > 0) ? true : undefined), 'every tab to follow');
    const deadline = Date.now() + soakMs;
    const sending = Promise.all(accounts.map((account, index) => sendUntil(account, index, deadline)));
    while (Date.now() < deadline) {
      await pause(dice.int(300, 1_500));
      await act(dice.pick(actions), accounts);
    }
    const sent = (await sending).flat();

    const { position, events, messages } = await storedLog(db, roomId);
    expect(events).toEqual(range(1, position));
    expect(new Set(messages.map((m) => m.clientId)).size).toBe(messages.length);
    const byClientId = new Map(messages.map((m) => [m.clientId, m.messageId]));
    expect(sent.map((s) => byClientId.get(s.clientId))).toEqual(sent.map((s) => s.messageId));

    await eventually(
      () => (behind(readers, position).length ? undefined : true),
      'every tab to catch up',
      20_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; still behind: ${behind(readers, position).join(', ')}`);
    });
    for (const reader of readers) {
      const { duplicates, missing, backwards, around } = anomalies(reader, position);
      expect({ duplicates, missing, backwards }, `${reader.name} got ${around}`).toEqual({
        duplicates: [],
        missing: [],
        backwards: [],
      });
      expect(createdIn(reader), reader.name).toEqual(messages);
    }

    // Every tab closes and B goes: A, which ran throughout, must be back where it started.
    await Promise.all(readers.map((reader) => reader.connection.close()));
    await b?.stop('SIGTERM');
    b = null;
    let last = atStart;
    const settled = await until(
      async () => {
        last = await countsOfA(admin!);
        return last.sockets === 0 && last.roomStreams === 0 ? last : undefined;
      },
      'A to close its tabs',
      10_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(last)}`);
    });
    const startedWith = atStart.busChannels;
    const rssGrowth = rssOf(a.pid) - rssAtStart;
    console.info(
      'soak:',
      JSON.stringify({
        seconds: soakMs / 1000,
        messages: messages.length,
        actions: done,
        busChannels: { atStart: startedWith, atEnd: settled.busChannels },
        rssMiB: { atStart: Math.round(rssAtStart / 2 ** 20), growth: Math.round(rssGrowth / 2 ** 20) },
      }),
    );
    expect(settled.busChannels).toBeLessThanOrEqual(startedWith);
    expect(rssGrowth).toBeLessThan(rssGrowthBoundBytes);
  },
  120_000 + soakMs,
);
