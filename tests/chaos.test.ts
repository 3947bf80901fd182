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
import { connectParley, type ParleyConnection } from '../src/sdk/index.ts';
import { freePort } from '../src/server/db/database.ts';
import { connectDatabase } from './helpers/db.ts';
import type { ParleyError } from './helpers/errors.ts';
import { seededDice } from './helpers/random.ts';
import { retryable } from './helpers/retry.ts';
import { createTestDatabase } from './helpers/server.ts';
import { type ServerProcess, type ServerProcessOptions, spawnServer } from './helpers/server-process.ts';
import { eventually, pause } from './helpers/sockets.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';
import { type Account, registerUser, roomyLimits } from './helpers/users.ts';

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

interface Logged {
  position: number;
  type: string;
  messageId: string;
  seq: number;
  clientId: string;
  body: string;
  /** Which subscription delivered it: 1 for the first, one more for each resume. */
  start: number;
}

interface Reader {
  name: string;
  account: Account;
  connection: ParleyConnection;
  log: Logged[];
  errors: ParleyError[];
  completed: boolean;
  /** How many times the subscription was confirmed by a server: once at the start, once per resume. */
  starts: number;
}

/** A tab that follows the public room from its first event; the stock socket link reconnects and resumes it. */
function follow(account: Account, tab: number): Reader {
  const connection = connectParley({ url: proxy.url, cookie: account.cookie });
  const name = `${account.username} tab ${tab}`;
  const reader: Reader = { name, account, connection, log: [], errors: [], completed: false, starts: 0 };
  connection.client.chat.onRoomEvent.subscribe(
    { roomId, lastEventId: '0' },
    {
      onStarted: () => reader.starts++,
      onData: ({ id, data: { type, message } }) =>
        reader.log.push({
          position: Number(id),
          type,
          messageId: message.id,
          seq: message.seq,
          clientId: message.clientId,
          body: message.body,
          start: reader.starts,
        }),
      onError: (error) => reader.errors.push(error),
      onComplete: () => {
        reader.completed = true;
      },
    },
  );
  return reader;
}

interface Sent {
  clientId: string;
  messageId: string;
}

/** Sends like the web client: one clientId per message, kept on every retry until the server answers. */
async function sendAll(reader: Reader, index: number, deadline: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let n = 0; n < messagesEach; n++) {
    const input = {
      roomId,
      clientId: `chaos-${index}-${n}-${randomBytes(4).toString('hex')}`,
      body: `#${n}`,
    };
    for (let attempt = 1; ; attempt++) {
      stats.sendAttempts++;
      const startedAt = Date.now();
      try {
        const message = await reader.connection.client.chat.send.mutate(input);
        if (attempt > 1 && Date.parse(message.createdAt) < startedAt) stats.answeredFromEarlierAttempt++;
        sent.push({ clientId: input.clientId, messageId: message.id });
        break;
      } catch (error) {
        if (chaosFailure !== null) throw chaosFailure;
        if (!retryable(error) || Date.now() > deadline) throw error;
        stats.retriedSends++;
        await pause(Math.min(40 * 2 ** attempt, 400) + dice.int(0, 40));
      }
    }
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

interface StoredMessage {
  messageId: string;
  seq: number;
  clientId: string;
  body: string;
}

async function stored(): Promise<{ position: number; events: number[]; messages: StoredMessage[] }> {
  const room = await db.query<{ position: string }>('select position from rooms where id = $1', [roomId]);
  const events = await db.query<{ position: string }>(
    'select position from room_events where room_id = $1 order by position',
    [roomId],
  );
  const messages = await db.query<{ id: string; seq: string; client_id: string; body: string }>(
    'select id, seq, client_id, body from messages where room_id = $1 order by seq',
    [roomId],
  );
  return {
    position: Number(room.rows[0]?.position),
    events: events.rows.map((row) => Number(row.position)),
    messages: messages.rows.map((row) => ({
      messageId: String(row.id),
      seq: Number(row.seq),
      clientId: row.client_id,
      body: row.body,
    })),
  };
}

/** Where a client's log departs from 1, 2, …, end; `around` shows the log near the first such place. */
function anomalies(reader: Reader, end: number) {
  const seen = new Set<number>();
  const duplicates: number[] = [];
  const backwards: number[] = [];
  let first = -1;
  reader.log.forEach(({ position }, index) => {
    const previous = reader.log[index - 1]?.position ?? 0;
    if (seen.has(position)) duplicates.push(position);
    else if (position < previous) backwards.push(position);
    if (first < 0 && position !== previous + 1) first = index;
    seen.add(position);
  });
  const missing = range(1, end).filter((position) => !seen.has(position));
  const near = reader.log.slice(Math.max(0, first - 6), first + 6);
  const around = near.map((e) => `${e.position} (subscription ${e.start})`).join(', ');
  return { duplicates, missing, backwards, around };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

it('every client ends with the room log the database has, in order, with no gap and no duplicate', async () => {
  const accounts = await Promise.all(Array.from({ length: people }, () => registerUser(proxy)));
  const visitor = connectParley({ url: proxy.url });
  roomId = (await visitor.client.chat.publicRoom.query()).id;
  await visitor.close();
  const tabs = accounts.map((account) => Array.from({ length: tabsEach }, (_, tab) => follow(account, tab)));
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
  const { position, events, messages } = await stored();
  expect(messages).toHaveLength(people * messagesEach);
  expect(events).toEqual(range(1, position));
  expect(new Set(messages.map((m) => m.clientId)).size).toBe(messages.length);
  const byClientId = new Map(messages.map((m) => [m.clientId, m.messageId]));
  expect(sent.map((s) => byClientId.get(s.clientId))).toEqual(sent.map((s) => s.messageId));

  // Every client catches up; one last cut makes each resume at the end, which must add nothing.
  const catchingUpFrom = Date.now();
  const behind = () =>
    readers
      .filter((r) => (r.log.at(-1)?.position ?? 0) < position)
      .map((r) => `${r.name}: ${r.log.at(-1)?.position}`);
  await eventually(
    () => (behind().length === 0 ? true : undefined),
    `every client to reach position ${position}`,
    30_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; still behind: ${behind().join(', ')}`);
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
    const created = reader.log
      .filter((e) => e.type === 'message.created')
      .map(({ messageId, seq, clientId, body }) => ({ messageId, seq, clientId, body }));
    expect(created).toEqual(messages);
  }
}, 120_000);
