/**
 * Unread counts under a random mix of what people do: three friends send, read, edit and delete in the public room
 * and their private rooms, and close and reopen their tabs. After every few steps each person's room list must
 * agree with a recount from the stored rows and with a model of the rule kept by the test; and every `room.read`
 * pushed to the reader's tab must carry the count that was true at that moment.
 */
import { expect, it } from 'vitest';
import type { ParleyConnection } from '../src/sdk/index.ts';
import {
  chattyLimits,
  type Message,
  newClientId,
  people,
  privateRoomOf,
  publicRoomId,
  recountUnread,
  type UserEvent,
  watchUserEvents,
} from './helpers/chat.ts';
import type { Person } from './helpers/people.ts';
import { seededDice } from './helpers/random.ts';
import { serverSuite } from './helpers/server-suite.ts';
import type { Recording } from './helpers/subscriptions.ts';

const steps = 150;
const checkEvery = 10;
const dice = seededDice('UNREAD_SEED');

const suite = serverSuite({ env: chattyLimits });

/** One open tab: its own HTTP client and socket, with the live feed that pushes `room.read`. */
interface Tab {
  connection: ParleyConnection;
  feed: Recording<UserEvent>;
}

interface Member {
  person: Person;
  tab: Tab;
  rooms: number[];
}

/** What the test knows happened, by the rule in API.md: the oracle the server is held to. */
interface Model {
  messages: { id: string; roomId: number; seq: number; senderId: number; deleted: boolean }[];
  /** Each room's event counter. */
  positions: Map<number, number>;
  /** Each member's read position, by `${userId}:${roomId}`. */
  readSeqs: Map<string, number>;
}

const key = (userId: number, roomId: number) => `${userId}:${roomId}`;

function expectedUnread(model: Model, userId: number, roomId: number): number {
  const readSeq = model.readSeqs.get(key(userId, roomId)) ?? 0;
  return model.messages.filter(
    (m) => m.roomId === roomId && m.seq > readSeq && !m.deleted && m.senderId !== userId,
  ).length;
}

async function openTab(person: Person): Promise<Tab> {
  const connection = suite.server.connect({ cookie: person.account.cookie });
  return { connection, feed: await watchUserEvents(connection.client) };
}

type Step = (member: Member, model: Model) => Promise<string>;

const send: Step = async ({ person, tab, rooms }, model) => {
  const roomId = dice.pick(rooms);
  const message = await tab.connection.client.chat.send.mutate({
    roomId,
    clientId: newClientId(),
    body: `note ${dice.int(1, 1e6)}`,
  });
  const position = (model.positions.get(roomId) ?? 0) + 1;
  expect(message.seq, 'a new message takes the room’s next position').toBe(position);
  model.positions.set(roomId, position);
  model.messages.push({ id: message.id, roomId, seq: message.seq, senderId: person.id, deleted: false });
  // Writing in a room reads it up to one's own message.
  const readKey = key(person.id, roomId);
  model.readSeqs.set(readKey, Math.max(model.readSeqs.get(readKey) ?? 0, message.seq));
  return `${person.displayName} sends in room ${roomId}`;
};

/** Reads to a random position near the end: sometimes backwards (ignored), sometimes past the end (clamped). */
const markRead: Step = async ({ person, tab, rooms }, model) => {
  const roomId = dice.pick(rooms);
  const end = model.positions.get(roomId) ?? 0;
  const seq = dice.int(Math.max(0, end - 8), end + 2);
  const from = tab.feed.mark();
  const result = await tab.connection.client.chat.markRead.mutate({ roomId, seq });
  const readKey = key(person.id, roomId);
  const readSeq = Math.max(model.readSeqs.get(readKey) ?? 0, Math.min(seq, end));
  model.readSeqs.set(readKey, readSeq);
  // Nobody is mentioned here (no body has an @name): a read also answers that none of what is left names them.
  const expected = { roomId, unread: expectedUnread(model, person.id, roomId), readSeq, mentions: 0 };
  expect(result, `${person.displayName} reads room ${roomId} to ${seq}`).toEqual(expected);
  expect(await recountUnread(suite.db, roomId, person.id)).toBe(expected.unread);
  const pushed = await tab.feed.next((e) => e.type === 'room.read' && e.roomId === roomId, from);
  expect(pushed, 'the room.read pushed to the tab').toEqual({ type: 'room.read', ...expected });
  return `${person.displayName} reads room ${roomId} to ${seq}`;
};

function ownLiveMessage(model: Model, member: Member) {
  const own = model.messages.filter((m) => m.senderId === member.person.id && !m.deleted);
  return own.length ? dice.pick(own) : null;
}

const remove: Step = async (member, model) => {
  const message = ownLiveMessage(model, member);
  if (!message) return send(member, model);
  const deleted = await member.tab.connection.client.chat.delete.mutate({ messageId: message.id });
  expect(deleted.deletedAt).not.toBeNull();
  message.deleted = true;
  model.positions.set(message.roomId, (model.positions.get(message.roomId) ?? 0) + 1);
  return `${member.person.displayName} deletes ${message.id} in room ${message.roomId}`;
};

/** Edits take a position too, but are not new messages: they must not count as unread. */
const edit: Step = async (member, model) => {
  const message = ownLiveMessage(model, member);
  if (!message) return send(member, model);
  await member.tab.connection.client.chat.edit.mutate({
    messageId: message.id,
    body: `edit ${newClientId()}`, // never the same words: an edit that changes nothing takes no position
  });
  model.positions.set(message.roomId, (model.positions.get(message.roomId) ?? 0) + 1);
  return `${member.person.displayName} edits ${message.id} in room ${message.roomId}`;
};

const reconnect: Step = async (member) => {
  await member.tab.connection.close();
  member.tab = await openTab(member.person);
  return `${member.person.displayName} closes the tab and opens another`;
};

const weighted: [Step, number][] = [
  [send, 40],
  [markRead, 25],
  [remove, 12],
  [edit, 8],
  [reconnect, 10],
];

function pickStep(): Step {
  let roll = dice.int(
    1,
    weighted.reduce((sum, [, weight]) => sum + weight, 0),
  );
  for (const [step, weight] of weighted) {
    roll -= weight;
    if (roll <= 0) return step;
  }
  return send;
}

/** Each person's room list against the stored rows, recounted, and against the model. */
async function checkEveryone(members: Member[], model: Model, after: string): Promise<void> {
  for (const { person, tab, rooms } of members) {
    const listed = await tab.connection.client.chat.rooms.query();
    const { rows } = await suite.db.query<{ room_id: number; read_seq: string }>(
      'select room_id, read_seq from room_members where user_id = $1',
      [person.id],
    );
    const storedReadSeq = new Map(rows.map((row) => [row.room_id, Number(row.read_seq)]));
    const actual = listed.map((room) => ({ roomId: room.id, unread: room.unread, readSeq: room.readSeq }));
    const recounted = [];
    for (const room of listed) {
      const unread = await recountUnread(suite.db, room.id, person.id);
      recounted.push({ roomId: room.id, unread, readSeq: storedReadSeq.get(room.id) });
    }
    const modelled = listed.map((room) => ({
      roomId: room.id,
      unread: expectedUnread(model, person.id, room.id),
      readSeq: model.readSeqs.get(key(person.id, room.id)),
    }));
    const context = `${person.displayName}'s rooms after ${after} (UNREAD_SEED=${dice.seed})`;
    expect(listed.map((room) => room.id).sort(), context).toEqual([...rooms].sort());
    expect(actual, `${context}: listed vs recounted from the database`).toEqual(recounted);
    expect(actual, `${context}: listed vs the rule`).toEqual(modelled);
  }
}

it('unread counts equal a recount after a random mix of sends, reads, edits, deletes and reconnects', async () => {
  const [ann, ben, cat] = await people(suite.server, 'Ann', 'Ben', 'Cat');
  const publicRoom = await publicRoomId(ann.client);
  const pairs: [Person, Person][] = [
    [ann, ben],
    [ann, cat],
    [ben, cat],
  ];
  const privateRooms = await Promise.all(pairs.map(async ([a, b]) => (await privateRoomOf(a, b)).id));
  const members: Member[] = await Promise.all(
    [ann, ben, cat].map(async (person) => ({
      person,
      tab: await openTab(person),
      rooms: [publicRoom, ...privateRooms.filter((_, i) => pairs[i]?.includes(person))],
    })),
  );

  // Where everyone starts: whatever the server says now (nothing unread), held to the rule from here on.
  const model: Model = { messages: [], positions: new Map(), readSeqs: new Map() };
  const { rows: rooms } = await suite.db.query<{ id: number; position: string }>(
    'select id, position from rooms',
  );
  for (const room of rooms) model.positions.set(room.id, Number(room.position));
  for (const { person, rooms: theirs } of members) {
    for (const room of await person.client.chat.rooms.query()) {
      expect(room.unread).toBe(0);
      model.readSeqs.set(key(person.id, room.id), room.readSeq);
    }
    expect(theirs).toHaveLength(3);
  }

  let last = 'setting up';
  for (let n = 1; n <= steps; n++) {
    try {
      last = `step ${n}: ${await pickStep()(dice.pick(members), model)}`;
    } catch (error) {
      if (error instanceof Error) error.message = `step ${n} (UNREAD_SEED=${dice.seed}): ${error.message}`;
      throw error;
    }
    if (n % checkEvery === 0) await checkEveryone(members, model, last);
  }
  await checkEveryone(members, model, last);
}, 60_000);

it('twenty readers marking the public room read at the same moment each get their own position and count', async () => {
  // Marks that arrive together are stored together (one statement per batch): each must still get its own answer.
  const [writer, ...readers] = await people(
    suite.server,
    'Writer',
    ...Array.from({ length: 20 }, (_, i) => `Reader ${i}`),
  );
  const roomId = await publicRoomId(writer.client);
  const sent: Message[] = [];
  for (let i = 0; i < 6; i++) {
    sent.push(await writer.client.chat.send.mutate({ roomId, clientId: newClientId(), body: `news ${i}` }));
  }
  const first = sent[0]!.seq;
  // Reader i reads up to the (i % 6)-th message; the first reader also asks again, from a second tab, for less.
  const asks = readers.map((reader, i) => ({ reader, seq: first + (i % 6) }));
  const answers = await Promise.all([
    ...asks.map(({ reader, seq }) => reader.client.chat.markRead.mutate({ roomId, seq })),
    suite.server
      .client({ cookie: readers[0]!.account.cookie })
      .chat.markRead.mutate({ roomId, seq: first - 1 }),
  ]);

  asks.forEach(({ seq }, i) => {
    const unread = sent.filter((m) => m.seq > seq).length;
    expect(answers[i], `reader ${i}`).toEqual({ roomId, readSeq: seq, unread, mentions: 0 });
  });
  for (const { reader, seq } of asks) {
    expect(await recountUnread(suite.db, roomId, reader.id)).toBe(sent.filter((m) => m.seq > seq).length);
  }
});
