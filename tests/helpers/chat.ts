/**
 * Chat helpers: sending as the composer does, opening and following rooms as the web app does, watching room
 * activity, and asking the database what it really holds.
 */
import { randomBytes } from 'node:crypto';
import type { inferRouterOutputs } from '@trpc/server';
import type pg from 'pg';
import type { AppRouter } from '../../src/server/router.ts';
import { type Client, makeFriends, type Person, signUp } from './people.ts';
import type { TestServer } from './server.ts';
import { type Recording, record } from './subscriptions.ts';
import { roomyLimits } from './users.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;

export type Room = Outputs['chat']['openPrivate'];
export type Message = Outputs['chat']['send'];
/** A tracked room event as the client receives it: `{ id: String(position), data: { type, message } }`. */
export type RoomEvent = Yielded<Outputs['chat']['onRoomEvent']>;
export type Activity = Yielded<Outputs['chat']['onActivity']>;
export type Typing = Extract<Activity, { type: 'typing' }>;
export type Presence = Extract<Activity, { type: 'presence' }>;
export type UserEvent = Yielded<Outputs['notifications']['onEvent']>;

/** Chat tests send many messages from one person; the mutation limit has its own tests. */
export const chattyLimits = { ...roomyLimits, RATE_MUTATIONS_PER_MINUTE: '100000' };

/** A fresh clientId, made once per message as the composer makes it. */
export const newClientId = () => `msg_${randomBytes(8).toString('hex')}`;

/** Sends `body` to a room with a fresh clientId (or the one given, for a retry). */
export function say(
  client: Client,
  roomId: number,
  body: string,
  clientId = newClientId(),
): Promise<Message> {
  return client.chat.send.mutate({ roomId, clientId, body });
}

/** Sends each body in turn, so their order is the order they were written. */
export async function sayEach(client: Client, roomId: number, bodies: string[]): Promise<Message[]> {
  const sent: Message[] = [];
  for (const body of bodies) sent.push(await say(client, roomId, body));
  return sent;
}

/** Registers one person per display name, each signed in in a tab of their own: `const [ann, ben] = ...`. */
export function people<const Names extends readonly string[]>(
  server: TestServer,
  ...displayNames: Names
): Promise<{ [K in keyof Names]: Person }> {
  return Promise.all(displayNames.map((displayName) => signUp(server, { displayName }))) as Promise<{
    [K in keyof Names]: Person;
  }>;
}

/** `a` and `b` become friends and `a` opens their private room. */
export async function privateRoomOf(a: Person, b: Person): Promise<Room> {
  await makeFriends(a, b);
  return a.client.chat.openPrivate.mutate({ userId: b.id });
}

export async function publicRoomId(client: Client): Promise<number> {
  return (await client.chat.publicRoom.query()).id;
}

/** Follows a room's durable events: live only, or everything after `lastEventId` first. */
export function followRoom(client: Client, roomId: number, lastEventId?: string): Recording<RoomEvent> {
  return record<RoomEvent>((handlers) =>
    client.chat.onRoomEvent.subscribe({ roomId, lastEventId }, handlers),
  );
}

/**
 * Opens a room as the web app does: the newest page of history, then the live stream resumed from the newest
 * message seen, so nothing sent in between is lost.
 */
export async function openRoom(client: Client, roomId: number): Promise<Recording<RoomEvent>> {
  const { items } = await client.chat.history.query({ roomId, limit: 1 });
  return followRoom(client, roomId, String(items[0]?.seq ?? 0));
}

/** The first `count` events a recording holds from index `from`, once they have all arrived. */
export async function received<T>(
  recording: Recording<T>,
  count: number,
  from = 0,
  timeoutMs = 5_000,
): Promise<T[]> {
  await recording.next(() => recording.events.length >= from + count, from, timeoutMs);
  return recording.events.slice(from, from + count);
}

export function watchActivity(client: Client, roomId: number): Recording<Activity> {
  return record<Activity>((handlers) => client.chat.onActivity.subscribe({ roomId }, handlers));
}

/** The tab's live feed (notifications, unread pushes, friends' presence), once it is connected. */
export async function watchUserEvents(client: Client): Promise<Recording<UserEvent>> {
  const feed = record<UserEvent>((handlers) => client.notifications.onEvent.subscribe(undefined, handlers));
  await feed.next((event) => event.type === 'notifications.read');
  return feed;
}

export const isPresence = (event: Activity): event is Presence => event.type === 'presence';
export const isTyping = (event: Activity): event is Typing => event.type === 'typing';

/** The number of people the room's activity stream said were connected, most recently. */
export function connectedNow(activity: Recording<Activity>): number | undefined {
  return activity.events.filter(isPresence).at(-1)?.connected;
}

/** Waits until the activity stream's latest presence count is `count`. */
export async function untilConnected(activity: Recording<Activity>, count: number, timeoutMs = 5_000) {
  await until(
    async () => connectedNow(activity) === count || undefined,
    `${count} connected (last seen: ${connectedNow(activity)})`,
    timeoutMs,
  );
}

/**
 * Polls an async condition until it gives a value other than `undefined`; fails with `what` after `timeoutMs`.
 * For state that is only visible by asking again (a query, the database).
 */
export async function until<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 5_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** How many messages with this clientId from this sender the database holds. */
export async function storedCopies(db: pg.Client, senderId: number, clientId: string): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    'select count(*) from messages where sender_id = $1 and client_id = $2',
    [senderId, clientId],
  );
  return Number(rows[0]?.count);
}

/** Unread counted from the stored rows by the rule: not deleted, not own, after the member's read position. */
export async function recountUnread(db: pg.Client, roomId: number, userId: number): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    `select count(*) from messages m join room_members rm on rm.room_id = m.room_id and rm.user_id = $2
      where m.room_id = $1 and m.deleted_at is null and m.sender_id <> $2 and m.seq > rm.read_seq`,
    [roomId, userId],
  );
  return Number(rows[0]?.count);
}

/** What a room has stored: messages, logged events and its event counter. */
export async function storedState(db: pg.Client, roomId: number) {
  const { rows } = await db.query<{ messages: string; events: string; position: string }>(
    `select (select count(*) from messages where room_id = $1) as messages,
      (select count(*) from room_events where room_id = $1) as events,
      (select position from rooms where id = $1) as position`,
    [roomId],
  );
  return rows[0];
}

export async function makeAdmin(db: pg.Client, person: Person): Promise<void> {
  await db.query(`update users set role = 'admin' where id = $1`, [person.id]);
}

/** The error code a subscription ended with; fails if it keeps running past `timeoutMs`. */
export async function refusalOf<T>(recording: Recording<T>, timeoutMs = 5_000): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('The subscription was not refused')), timeoutMs);
  });
  try {
    return (await Promise.race([recording.failure, timeout])).data?.code;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A subscription without a first event is live only once the server has subscribed to the bus, which it does a
 * moment after the client's call. Pokes (sends, types) until the first result arrives.
 */
export async function untilLive<T>(recording: Recording<T>, poke: () => Promise<unknown>, attempts = 20) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const mark = recording.mark();
    await poke();
    try {
      await recording.next(() => true, mark, 250);
      return;
    } catch {
      // Not live yet: poke again.
    }
  }
  throw new Error(`The subscription never went live; it holds ${JSON.stringify(recording.events)}`);
}
