/**
 * What the fault tests (chaos, soak) check: clients follow a room from its first event through cuts, crashes and
 * restarts, and in the end each client's log equals the database's, in order, with no gap and no duplicate.
 */
import type pg from 'pg';
import { connectParley, type ParleyConnection } from '../../src/sdk/index.ts';
import type { ParleyError } from './errors.ts';
import { retryable } from './retry.ts';
import { pause } from './sockets.ts';
import type { Account } from './users.ts';

export interface Logged {
  position: number;
  type: string;
  messageId: string;
  seq: number;
  clientId: string;
  body: string;
  /** Which subscription delivered it: 1 for the first, one more for each resume. */
  start: number;
}

export interface Reader {
  name: string;
  account: Account;
  connection: ParleyConnection;
  log: Logged[];
  errors: ParleyError[];
  completed: boolean;
  /** How many times the subscription was confirmed by a server: once at the start, once per resume. */
  starts: number;
}

/** A tab that follows a room from its first event; the stock socket link reconnects and resumes it. */
export function followFromStart(url: string, account: Account, roomId: number, name: string): Reader {
  const connection = connectParley({ url, cookie: account.cookie });
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

export interface Sent {
  clientId: string;
  messageId: string;
}

export interface RetryHooks {
  /** Stop retrying after this time (ms since the epoch). */
  deadline: number;
  onAttempt?(attempt: number, startedAt: number): void;
  onAnswer?(message: { createdAt: string }, attempt: number, startedAt: number): void;
  /** Thrown instead of retrying: the test is already failing. */
  failure?(): unknown;
  jitterMs?(): number;
}

/** Sends like the web client: one clientId per message, kept on every retry until the server answers. */
export async function sendWithRetry(
  connection: ParleyConnection,
  input: { roomId: number; clientId: string; body: string },
  hooks: RetryHooks,
): Promise<Sent> {
  for (let attempt = 1; ; attempt++) {
    const startedAt = Date.now();
    hooks.onAttempt?.(attempt, startedAt);
    try {
      const message = await connection.client.chat.send.mutate(input);
      hooks.onAnswer?.(message, attempt, startedAt);
      return { clientId: input.clientId, messageId: message.id };
    } catch (error) {
      const failure = hooks.failure?.();
      if (failure) throw failure;
      if (!retryable(error) || Date.now() > hooks.deadline) throw error;
      await pause(Math.min(40 * 2 ** attempt, 400) + (hooks.jitterMs?.() ?? 0));
    }
  }
}

export interface StoredMessage {
  messageId: string;
  seq: number;
  clientId: string;
  body: string;
}

/** The room as the database has it: its position, every event's position, and its messages in order. */
export async function storedLog(
  db: pg.Client,
  roomId: number,
): Promise<{ position: number; events: number[]; messages: StoredMessage[] }> {
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
export function anomalies(reader: Reader, end: number) {
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

/** The readers still short of `position`, named with where each stands. */
export function behind(readers: readonly Reader[], position: number): string[] {
  return readers
    .filter((r) => (r.log.at(-1)?.position ?? 0) < position)
    .map((r) => `${r.name}: ${r.log.at(-1)?.position}`);
}

/** The messages a reader was told were created, as the database lists them. */
export const createdIn = (reader: Reader): StoredMessage[] =>
  reader.log
    .filter((e) => e.type === 'message.created')
    .map(({ messageId, seq, clientId, body }) => ({ messageId, seq, clientId, body }));

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
