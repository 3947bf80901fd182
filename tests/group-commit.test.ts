/**
 * Group commit: sends that arrive together, to one room or to many, are stored by one statement, yet each is
 * acknowledged on its own — stored once, at dense positions in each room in the order given, delivered live in that
 * order — and a send refused among them is refused alone; a send stuck on its room's lock holds up no other room.
 */
import { expect, it } from 'vitest';
import {
  chattyLimits,
  followRoom,
  type Message,
  newClientId,
  people,
  privateRoomOf,
  publicRoomId,
  received,
  say,
} from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import { codeOf } from './helpers/errors.ts';
import type { Person } from './helpers/people.ts';
import { serverSuite } from './helpers/server-suite.ts';

const suite = serverSuite({ env: chattyLimits });

/** How each acknowledged message is stored: its position, copies, and how many transactions stored them all. */
async function storedBy(roomId: number, sent: readonly Message[]) {
  const { rows } = await suite.db.query<{ client_id: string; seq: string; copies: string }>(
    `select client_id, min(seq) as seq, count(*) as copies from messages
      where room_id = $1 and client_id = any($2::text[]) group by client_id`,
    [roomId, sent.map((message) => message.clientId)],
  );
  // Rows written by one statement share its transaction id.
  const [transactions] = (
    await suite.db.query<{ count: string }>(
      'select count(distinct xmin::text) from messages where room_id = $1 and client_id = any($2::text[])',
      [roomId, sent.map((message) => message.clientId)],
    )
  ).rows;
  return {
    seqByClientId: new Map(rows.map((row) => [row.client_id, Number(row.seq)])),
    copies: rows.map((row) => Number(row.copies)),
    transactions: Number(transactions?.count),
  };
}

/** Every person sends `each` messages at once, all of them in flight together. */
function sendTogether(senders: readonly Person[], roomId: number, each: number) {
  return Promise.allSettled(
    senders.flatMap((person) =>
      Array.from({ length: each }, (_, i) => say(person.client, roomId, `${person.displayName} ${i}`)),
    ),
  );
}

const dense = (seqs: number[]) => {
  const sorted = [...seqs].sort((a, b) => a - b);
  return sorted.every((seq, i) => i === 0 || seq === (sorted[i - 1] ?? 0) + 1);
};

it('many sends at once to one room: each acknowledged and stored once, dense, live in order, fewer statements', async () => {
  const senders = await people(suite.server, 'Ann', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal');
  const roomId = await publicRoomId(senders[0].client);
  const { items } = await senders[0].client.chat.history.query({ roomId, limit: 1 });
  const watching = followRoom(senders[0].client, roomId, String(items[0]?.seq ?? 0));

  const answers = await sendTogether(senders, roomId, 8);
  const sent = answers.map((answer) => (answer.status === 'fulfilled' ? answer.value : null));
  expect(sent.filter((message) => message === null)).toEqual([]);
  const messages = sent.filter((message): message is Message => message !== null);

  const stored = await storedBy(roomId, messages);
  expect(stored.copies).toEqual(messages.map(() => 1));
  for (const message of messages) expect(stored.seqByClientId.get(message.clientId)).toBe(message.seq);
  expect(dense(messages.map((message) => message.seq))).toBe(true);
  expect(stored.transactions).toBeLessThan(messages.length);

  const live = await received(watching, messages.length);
  const positions = live.map((event) => Number(event.id));
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  expect(new Set(positions)).toEqual(new Set(messages.map((message) => message.seq)));
  watching.stop();
});

it('a send refused among others (a muted sender) is refused alone: the others are stored, dense', async () => {
  const [muted, ...senders] = await people(suite.server, 'Mute', 'Ivy', 'Jon', 'Kim', 'Lou');
  const roomId = await publicRoomId(muted.client);
  await suite.db.query(`update users set muted_until = now() + interval '1 hour' where id = $1`, [muted.id]);

  const [refusal, answers] = await Promise.all([
    codeOf(say(muted.client, roomId, 'shh')),
    sendTogether(senders, roomId, 4),
  ]);
  expect(refusal).toBe('FORBIDDEN');
  const messages = answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
  expect(messages).toHaveLength(16);
  const stored = await storedBy(roomId, messages);
  expect(stored.copies).toEqual(messages.map(() => 1));
  expect(dense(messages.map((message) => message.seq))).toBe(true);
  const { rows } = await suite.db.query('select 1 from messages where sender_id = $1', [muted.id]);
  expect(rows).toEqual([]);
});

it('a retry sent together with its first copy and others: one copy, and the others stored once', async () => {
  const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
  const roomId = await publicRoomId(ann.client);
  const clientId = newClientId();
  const answers = await Promise.all([
    say(ann.client, roomId, 'once', clientId),
    say(ann.client, roomId, 'once', clientId),
    ...[0, 1, 2, 3, 4, 5].map((i) => say(ben.client, roomId, `Ben ${i}`)),
  ]);
  const [first, retry, ...others] = answers;
  expect(retry?.id).toBe(first?.id);
  const stored = await storedBy(roomId, answers);
  expect(stored.copies).toEqual(answers.slice(1).map(() => 1));
  expect(dense([first?.seq ?? 0, ...others.map((message) => message.seq)])).toBe(true);
});

/** `count` pairs of friends, each with their private room: one conversation per room, as the ingest bench has. */
async function conversations(count: number) {
  const names = Array.from({ length: count * 2 }, (_, i) => `Pal ${i}`);
  const everyone = await people(suite.server, ...names);
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const [writer, reader] = [everyone[2 * i], everyone[2 * i + 1]] as [Person, Person];
      return { writer, reader, roomId: (await privateRoomOf(writer, reader)).id };
    }),
  );
}

/** How many transactions stored these messages, and how many of them stored messages of more than one room. */
async function transactionsOf(sent: readonly Message[]) {
  const { rows } = await suite.db.query<{ rooms: string }>(
    `select count(distinct room_id) as rooms from messages where id = any($1::bigint[]) group by xmin::text`,
    [sent.map((message) => message.id)],
  );
  return { count: rows.length, acrossRooms: rows.filter((row) => Number(row.rooms) > 1).length };
}

it('sends to many rooms at once: fewer statements than sends, some across rooms, each room dense and in order', async () => {
  const rooms = await conversations(8);
  const watching = rooms.map(({ reader, roomId }) => followRoom(reader.client, roomId, '0'));

  const answers = await Promise.all(
    rooms.map(({ writer, roomId }) =>
      Promise.all([1, 2, 3].map((i) => say(writer.client, roomId, `${writer.displayName} ${i}`))),
    ),
  );

  const all = answers.flat();
  expect((await storedBy(rooms[0]?.roomId ?? 0, answers[0] ?? [])).copies).toEqual([1, 1, 1]);
  const transactions = await transactionsOf(all);
  expect(transactions.count).toBeLessThan(all.length);
  expect(transactions.acrossRooms).toBeGreaterThan(0);
  for (const [i, sent] of answers.entries()) {
    expect(sent.map((message) => message.seq).sort((a, b) => a - b)).toEqual([1, 2, 3]);
    const live = await received(watching[i] as (typeof watching)[number], 3);
    expect(live.map((event) => Number(event.id))).toEqual([1, 2, 3]);
    expect(live.map((event) => event.data.message.clientId).sort()).toEqual(
      sent.map((m) => m.clientId).sort(),
    );
  }
  for (const recording of watching) recording.stop();
});

it("a send refused in one room (friends no more) does not touch other rooms' sends stored with it", async () => {
  const [parted, ...others] = await conversations(5);
  if (!parted) throw new Error('no conversations');
  await parted.writer.client.friends.remove.mutate({ userId: parted.reader.id });

  const [refusal, ...answers] = await Promise.all([
    codeOf(say(parted.writer.client, parted.roomId, 'still there?')),
    ...others.map(({ writer, roomId }) =>
      Promise.all([1, 2].map((i) => say(writer.client, roomId, `hi ${i}`))),
    ),
  ]);
  expect(refusal).toBe('FORBIDDEN');
  for (const sent of answers as Message[][]) {
    expect(sent.map((message) => message.seq).sort((a, b) => a - b)).toEqual([1, 2]);
  }
  const { rows } = await suite.db.query('select 1 from messages where room_id = $1', [parted.roomId]);
  expect(rows).toEqual([]);
});

it("a retry racing its first copy among other rooms' sends: one copy, and every other send stored once", async () => {
  const [retrying, ...others] = await conversations(5);
  if (!retrying) throw new Error('no conversations');
  const clientId = newClientId();

  const [first, retry, ...answers] = await Promise.all([
    say(retrying.writer.client, retrying.roomId, 'once', clientId),
    say(retrying.writer.client, retrying.roomId, 'once', clientId),
    ...others.map(({ writer, roomId }) => say(writer.client, roomId, 'meanwhile')),
  ]);
  expect(retry?.id).toBe(first?.id);
  expect((await storedBy(retrying.roomId, [first as Message])).copies).toEqual([1]);
  for (const [i, { roomId }] of others.entries()) {
    const sent = answers[i] as Message;
    expect(sent.seq).toBe(1);
    expect((await storedBy(roomId, [sent])).copies).toEqual([1]);
  }
});

it("a send waiting for its room's lock does not hold up other rooms' sends behind it", async () => {
  const [stuck, free] = await conversations(2);
  if (!stuck || !free) throw new Error('no conversations');
  // Someone else holds the first room's row, as an edit's transaction does for a moment.
  const holder = await connectDatabase(suite.server.databaseUrl);
  try {
    await holder.query('begin');
    await holder.query('select 1 from rooms where id = $1 for update', [stuck.roomId]);
    let stuckSettled = false;
    const waiting = say(stuck.writer.client, stuck.roomId, 'after the lock').finally(() => {
      stuckSettled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const meanwhile = await Promise.race([
      say(free.writer.client, free.roomId, 'not held up'),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('held up behind the locked room')), 5_000),
      ),
    ]);
    expect(meanwhile.seq).toBe(1);
    expect(stuckSettled).toBe(false);

    await holder.query('commit');
    expect((await waiting).seq).toBe(1);
  } finally {
    await holder.end();
  }
});
