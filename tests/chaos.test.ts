/**
 * Chaos: several people send while the network under them is cut and the server process is crashed (SIGKILL) or
 * stopped (SIGTERM) and started again, at random. Their clients are the stock SDK: the socket reconnects by itself
 * and resumes each subscription from the last event it got; a send that fails is retried with the same clientId.
 * Afterwards every client's log of room events equals the database's: same order, no gap, no duplicate, and each
 * message is stored once however often its send was retried.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectParley } from '../src/sdk/index.ts';
import { freePort } from '../src/server/db/database.ts';
import { connectDatabase } from './helpers/db.ts';
import { seededDice } from './helpers/random.ts';
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
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';
import { registerUser, roomyLimits } from './helpers/users.ts';

const people = 5;
/** Each person follows the room in this many tabs; the first one also sends. */
const tabsEach = 3;
const messagesEach = 30;
/**
 * What the chaos loop does, each at least once and in a seeded order: crash the server (SIGKILL), stop it
 * gracefully (SIGTERM), cut every connection, or cut only the WebSockets while sends over HTTP go on. More cuts
 * follow while the sends last.
 */
const plannedActions = [
  'kill',
  'kill',
  'term',
  'cut',
  'cut',
  'cutSockets',
  'cutSockets',
  'cutSockets',
] as const;
const maxActions = 40;
const chaosBudgetMs = 30_000;
const sendBudgetMs = 40_000;

type Action = (typeof plannedActions)[number];

const dice = seededDice('CHAOS_SEED');
const stats = {
  cuts: 0,
  socketCuts: 0,
  severed: 0,
  kills: 0,
  terms: 0,
  sendAttempts: 0,
  retriedSends: 0,
  /** Retries the server answered with the copy an earlier attempt stored (that attempt's answer was lost). */
  answeredFromEarlierAttempt: 0,
  resumes: 0,
  sendingMs: 0,
  catchingUpMs: 0,
};
/** What every server process printed at warn level and above, migrations aside. */
const serverOutput: string[] = [];

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: pg.Client;
let serverOptions: ServerProcessOptions;
let server: ServerProcess | null = null;
let proxy: TcpProxy;
let roomId: number;
const readers: Reader[] = [];
let stopChaos = false;
let chaosRun: Promise<void> = Promise.resolve();
/** Why the chaos loop stopped early (a server that would not start again, say): the senders give up at once. */
let chaosFailure: unknown = null;

beforeAll(async () => {
  database = await createTestDatabase();
  serverOptions = {
    port: await freePort(),
    databaseUrl: database.url,
    redisPrefix: `parley-chaos:${randomBytes(4).toString('hex')}:`,
    env: { ...roomyLimits, RATE_MUTATIONS_PER_MINUTE: '10000' },
  };
  server = await spawnServer(serverOptions);
  proxy = await startTcpProxy(serverOptions.port);
  db = await connectDatabase(database.url);
});

afterAll(async () => {
  stopChaos = true;
  await chaosRun;
  await Promise.all(readers.map((reader) => reader.connection.close()));
  await server?.stop('SIGTERM');
  keepOutput(server);
  await proxy?.close();
  await db?.end();
  await database?.drop();
  stats.resumes = readers.reduce((sum, reader) => sum + reader.starts - 1, 0);
  const said = serverOutput.length ? `\nthe server said:\n${serverOutput.join('\n')}` : '';
  console.info('chaos:', JSON.stringify(stats), said);
}, 60_000);

function keepOutput(process: ServerProcess | null): void {
  serverOutput.push(...(process?.output.filter((line) => !line.includes('[migrator]')) ?? []));
}

/** Each person's first tab sends `messagesEach` messages, a moment apart. */
async function sendAll(reader: Reader, index: number, deadline: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let n = 0; n < messagesEach; n++) {
    const input = {
      roomId,
      clientId: `chaos-${index}-${n}-${randomBytes(4).toString('hex')}`,
      body: `#${n}`,
    };
    sent.push(
      await sendWithRetry(reader.connection, input, {
        deadline,
        onAttempt: (attempt) => {
          stats.sendAttempts++;
          if (attempt > 1) stats.retriedSends++;
        },
        onAnswer: (message, attempt, startedAt) => {
          if (attempt > 1 && Date.parse(message.createdAt) < startedAt) stats.answeredFromEarlierAttempt++;
        },
        failure: () => chaosFailure,
        jitterMs: () => dice.int(0, 40),
      }),
    );
    await pause(dice.int(40, 220));
  }
  return sent;
}

async function act(action: Action): Promise<void> {
  if (action === 'cut' || action === 'cutSockets') {
    stats[action === 'cut' ? 'cuts' : 'socketCuts']++;
    stats.severed += proxy.cut(action === 'cut' ? undefined : 'websocket');
    return;
  }
  stats[action === 'kill' ? 'kills' : 'terms']++;
  const stopping = server;
  server = null;
  await stopping?.stop(action === 'kill' ? 'SIGKILL' : 'SIGTERM');
  keepOutput(stopping);
  await pause(dice.int(0, 600)); // down a while: sends fail, sockets cannot reconnect
  server = await spawnServer(serverOptions);
}

/** The planned actions in a seeded order, at random intervals, then more cuts while the sends go on. */
async function chaos(sendsRunning: () => boolean): Promise<void> {
  const plan: Action[] = dice.shuffle(plannedActions);
  const deadline = Date.now() + chaosBudgetMs;
  for (let done = 0; done < maxActions && !stopChaos && Date.now() < deadline; done++) {
    const action =
      plan[done] ?? (sendsRunning() ? dice.pick(['cut', 'cutSockets', 'cutSockets'] as const) : null);
    if (action === null) break;
    await pause(action === 'cutSockets' ? dice.int(100, 400) : dice.int(200, 800));
    if (stopChaos) break;
    await act(action);
  }
}

it('every client ends with the room log the database has, in order, with no gap and no duplicate', async () => {
  const accounts = await Promise.all(Array.from({ length: people }, () => registerUser(proxy)));
  const visitor = connectParley({ url: proxy.url });
  roomId = (await visitor.client.chat.publicRoom.query()).id;
  await visitor.close();
  const tabs = accounts.map((account) =>
    Array.from({ length: tabsEach }, (_, tab) =>
      followFromStart(proxy.url, account, roomId, `${account.username} tab ${tab}`),
    ),
  );
  readers.push(...tabs.flat());
  await eventually(
    () => (readers.every((r) => r.starts > 0) ? true : undefined),
    'every subscription to start',
  );

  let sending = true;
  chaosRun = chaos(() => sending).catch((error: unknown) => {
    chaosFailure = error;
  });
  const sendDeadline = Date.now() + sendBudgetMs;
  const sendingFrom = Date.now();
  const sends = await Promise.allSettled(tabs.map(([first], index) => sendAll(first!, index, sendDeadline)));
  sending = false;
  stats.sendingMs = Date.now() - sendingFrom;
  stopChaos = true;
  await chaosRun;
  if (chaosFailure !== null) throw chaosFailure;
  const sent = sends.flatMap((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });

  // The database: one message per clientId, each the one its sender was answered with, at dense positions.
  const { position, events, messages } = await storedLog(db, roomId);
  expect(messages).toHaveLength(people * messagesEach);
  expect(events).toEqual(range(1, position));
  expect(new Set(messages.map((m) => m.clientId)).size).toBe(messages.length);
  const byClientId = new Map(messages.map((m) => [m.clientId, m.messageId]));
  expect(sent.map((s) => byClientId.get(s.clientId))).toEqual(sent.map((s) => s.messageId));

  // Every client catches up; one last cut makes each resume at the end, which must add nothing.
  const catchingUpFrom = Date.now();
  await eventually(
    () => (behind(readers, position).length === 0 ? true : undefined),
    `every client to reach position ${position}`,
    30_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; still behind: ${behind(readers, position).join(', ')}`);
  });
  stats.catchingUpMs = Date.now() - catchingUpFrom;
  const startsBefore = readers.map((r) => r.starts);
  stats.severed += proxy.cut();
  await eventually(
    () => (readers.every((r, i) => r.starts > (startsBefore[i] ?? 0)) ? true : undefined),
    'every subscription to resume after the last cut',
    15_000,
  );
  await pause(300);

  for (const reader of readers) {
    expect(
      reader.errors.map((e) => e.message),
      reader.name,
    ).toEqual([]);
    expect(reader.completed, reader.name).toBe(false);
    const { duplicates, missing, backwards, around } = anomalies(reader, position);
    expect({ duplicates, missing, backwards }, `${reader.name} got ${around}`).toEqual({
      duplicates: [],
      missing: [],
      backwards: [],
    });
    expect(reader.log.map((e) => e.position)).toEqual(range(1, position));
    expect(createdIn(reader)).toEqual(messages);
  }
}, 120_000);
