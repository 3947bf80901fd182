/**
 * The chat's raw statements, read column by column: each returns entity types (numbers for bigint positions,
 * Dates for times, a string id for a message), whatever PostgreSQL sent for the row.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { Friendship, Message, Reaction, Room, RoomMember, User } from '../../src/server/db/entities/index.ts';
import {
  appendMessage,
  appendMessages,
  eventsAfter,
  extrasOf,
  messagesAfter,
  messagesBefore,
  roomAccesses,
  roomsSeenBy,
  streamStarts,
  takeNextPosition,
} from '../../src/server/db/statements/chat.ts';
import { dropFromUnread, moveReadPositions } from '../../src/server/db/statements/read-positions.ts';
import { loadRoom } from '../../src/server/services/chat/rooms.ts';
import { loggedOrm } from '../helpers/logged-orm.ts';
import { insertPerson, insertPrivateRoom, statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();

const em = () => db.em();

const person = (name: string, avatarVersion: number | null = null) =>
  insertPerson(em(), name, { avatarVersion });

const publicRoom = async () => em().findOneOrFail(Room, { kind: 'public' });

/** Two friends and their private room, both members from its start. */
async function friendsWithRoom() {
  const [ann, bob] = [await person('Ann', 3), await person('Bob')];
  const roomId = await insertPrivateRoom(em(), ann, bob);
  return { ann, bob, roomId };
}

let clientIds = 0;
/** A send with a clientId of its own. */
const newSend = (roomId: number, senderId: number, body: string, replyToId?: string) => ({
  roomId,
  senderId,
  clientId: `client-${++clientIds}`,
  body,
  replyToId,
});
const say = (db: EntityManager, roomId: number, senderId: number, body: string) =>
  appendMessage(db, newSend(roomId, senderId, body));

describe('takeNextPosition', () => {
  it('moves the room one position on, returns it as a number, and marks the room active', async () => {
    const before = await publicRoom();
    const position = await em().transactional((tx) => takeNextPosition(tx, before.id));
    const after = await publicRoom();
    expect(position).toBe(before.position + 1);
    expect(after.position).toBe(position);
    expect(after.lastActivityAt.getTime()).toBeGreaterThanOrEqual(before.lastActivityAt.getTime());
  });
});

describe('appendMessage', () => {
  it('stores a public message at the next position and returns every column with its sender', async () => {
    const ann = await person('Ann', 7);
    const room = await publicRoom();
    await em().insert(RoomMember, { roomId: room.id, userId: ann.id, readSeq: 0 });
    const appended = await say(em(), room.id, ann.id, 'Hello, everyone');
    expect(appended).toStrictEqual({
      message: {
        id: expect.stringMatching(/^\d+$/),
        roomId: room.id,
        seq: room.position + 1,
        clientId: `client-${clientIds}`,
        body: 'Hello, everyone',
        createdAt: expect.any(Date),
        editedAt: null,
        deletedAt: null,
        deletedBy: null,
        quoted: null,
        reactions: [],
        mentions: [],
        attachments: [],
        sender: ann,
      },
      kind: 'public',
      others: [],
    });
    const stored = await em().findOneOrFail(Message, { id: appended?.message.id ?? '0' });
    expect(stored.createdAt).toEqual(appended?.message.createdAt);
    // The sender has read their own message.
    const member = await em().findOneOrFail(RoomMember, { roomId: room.id, userId: ann.id });
    expect(member.readSeq).toBe(appended?.message.seq);
  });

  it('in a private room, tells where the other member stands: read position and unread count', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    await say(em(), roomId, ann.id, 'one');
    const second = await say(em(), roomId, ann.id, 'two');
    expect(second?.kind).toBe('private');
    expect(second?.others).toStrictEqual([{ userId: bob.id, readSeq: 0, unread: 2 }]);
    const reply = await say(em(), roomId, bob.id, 'hi');
    expect(reply?.others).toStrictEqual([{ userId: ann.id, readSeq: 2, unread: 1 }]);
  });

  it('stores nothing and returns null for a muted sender, or a stranger to a private room', async () => {
    const { roomId } = await friendsWithRoom();
    const [muted, stranger] = [await person('Muted'), await person('Stranger')];
    await em().nativeUpdate(User, { id: muted.id }, { mutedUntil: new Date(Date.now() + 60_000) });
    expect(await say(em(), (await publicRoom()).id, muted.id, 'shh')).toBeNull();
    expect(await say(em(), roomId, stranger.id, 'let me in')).toBeNull();
    expect(await em().count(Message, { sender: { $in: [muted.id, stranger.id] } })).toBe(0);
  });

  it('refuses a clientId its sender used before with a unique violation', async () => {
    const ann = await person('Ann');
    const room = await publicRoom();
    const send = { roomId: room.id, senderId: ann.id, clientId: 'the-same-id', body: 'once' };
    await appendMessage(em(), send);
    await expect(appendMessage(em(), send)).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });
});

describe('appendMessages', () => {
  it('stores many sends at the next positions in the order given, refusing only the refused one', async () => {
    const [ann, bob, muted] = [await person('Ann'), await person('Bob'), await person('Muted')];
    await em().nativeUpdate(User, { id: muted.id }, { mutedUntil: new Date(Date.now() + 60_000) });
    const room = await publicRoom();
    const sends = [
      newSend(room.id, ann.id, 'one'),
      newSend(room.id, muted.id, 'shh'),
      newSend(room.id, bob.id, 'two'),
    ];
    const [first, refused, second] = await appendMessages(em(), sends);
    expect(refused).toBeNull();
    expect([first?.message.seq, second?.message.seq]).toStrictEqual([room.position + 1, room.position + 2]);
    expect([first?.message.body, second?.message.body]).toStrictEqual(['one', 'two']);
    expect((await publicRoom()).position).toBe(room.position + 2);
    const events = await eventsAfter(em(), room.id, room.position, null, 10);
    expect(events.map((event) => event.message.clientId)).toStrictEqual([
      sends[0]?.clientId,
      sends[2]?.clientId,
    ]);
  });

  it('in a private room, tells each message where the other member stands, their own sends before it counted', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    await say(em(), roomId, ann.id, 'earlier');
    const sends = [
      newSend(roomId, ann.id, 'a1'),
      newSend(roomId, bob.id, 'b1'),
      newSend(roomId, ann.id, 'a2'),
    ];
    const answers = await appendMessages(em(), sends);
    expect(answers.map((answer) => answer?.others)).toStrictEqual([
      [{ userId: bob.id, readSeq: 0, unread: 2 }],
      [{ userId: ann.id, readSeq: 2, unread: 1 }],
      [{ userId: bob.id, readSeq: 3, unread: 1 }],
    ]);
    const members = await em().find(RoomMember, { roomId }, { orderBy: { userId: 'asc' } });
    expect(members.map((member) => member.readSeq)).toStrictEqual(ann.id < bob.id ? [4, 3] : [3, 4]);
  });

  it('stores sends to several rooms in one statement: each room its own next positions and its own others', async () => {
    const first = await friendsWithRoom();
    const second = await friendsWithRoom();
    const pub = await publicRoom();
    await say(em(), second.roomId, second.ann.id, 'earlier');
    const sends = [
      newSend(second.roomId, second.bob.id, 'b1'),
      newSend(first.roomId, first.ann.id, 'a1'),
      newSend(pub.id, first.bob.id, 'to all'),
      newSend(second.roomId, second.ann.id, 'a2'),
      newSend(first.roomId, first.bob.id, 'b1'),
    ];
    const answers = await appendMessages(em(), sends);
    expect(answers.map((answer) => [answer?.message.roomId, answer?.message.seq])).toStrictEqual([
      [second.roomId, 2],
      [first.roomId, 1],
      [pub.id, pub.position + 1],
      [second.roomId, 3],
      [first.roomId, 2],
    ]);
    expect(answers.map((answer) => answer?.kind)).toStrictEqual([
      'private',
      'private',
      'public',
      'private',
      'private',
    ]);
    expect(answers.map((answer) => answer?.others)).toStrictEqual([
      [{ userId: second.ann.id, readSeq: 1, unread: 1 }],
      [{ userId: first.bob.id, readSeq: 0, unread: 1 }],
      [],
      [{ userId: second.bob.id, readSeq: 2, unread: 1 }],
      [{ userId: first.ann.id, readSeq: 1, unread: 1 }],
    ]);
  });

  it('stores nothing when one clientId was used before: a unique violation for the whole statement', async () => {
    const ann = await person('Ann');
    const room = await publicRoom();
    const used = newSend(room.id, ann.id, 'once');
    await appendMessage(em(), used);
    await expect(appendMessages(em(), [newSend(room.id, ann.id, 'new'), used])).rejects.toBeInstanceOf(
      UniqueConstraintViolationException,
    );
    expect((await publicRoom()).position).toBe(room.position + 1);
  });
});

describe('the hot statements, run as prepared statements', () => {
  it('a send inside a transaction that rolls back leaves nothing: no message, the room where it was', async () => {
    const ann = await person('Ann');
    const room = await publicRoom();
    const send = newSend(room.id, ann.id, 'never mind');
    const changedMind = em().transactional(async (tx) => {
      const appended = await appendMessage(tx, send);
      expect(appended?.message.seq).toBe(room.position + 1);
      expect(await tx.count(Message, { clientId: send.clientId })).toBe(1);
      throw new Error('changed my mind');
    });
    await expect(changedMind).rejects.toThrow('changed my mind');
    expect(await em().count(Message, { clientId: send.clientId })).toBe(0);
    expect((await publicRoom()).position).toBe(room.position);
    expect((await say(em(), room.id, ann.id, 'said instead'))?.message.seq).toBe(room.position + 1);
  });

  it('a clientId used before is still a unique violation inside a transaction, which then stores nothing', async () => {
    const ann = await person('Ann');
    const room = await publicRoom();
    const used = newSend(room.id, ann.id, 'once');
    await appendMessage(em(), used);
    const fresh = newSend(room.id, ann.id, 'first in the transaction');
    const retry = em().transactional(async (tx) => {
      await appendMessage(tx, fresh);
      return appendMessage(tx, used);
    });
    await expect(retry).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await em().count(Message, { clientId: fresh.clientId })).toBe(0);
  });

  it("shows in MikroORM's query log, one line each, as every other statement", async () => {
    const ann = await person('Ann');
    const room = await publicRoom();
    const { orm, statements } = await loggedOrm(db.url);
    try {
      const appended = await say(orm.em.fork(), room.id, ann.id, 'logged');
      await moveReadPositions(orm.em.fork(), [
        { roomId: room.id, userId: ann.id, seq: appended?.message.seq ?? 0 },
      ]);
    } finally {
      await orm.close();
    }
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/insert into messages/);
    expect(statements[1]).toMatch(/insert into room_members/);
  });

  it('stores bodies exactly as written, whatever characters they hold, alone or in a batch', async () => {
    const ann = await person('Ann');
    const room = await publicRoom();
    const bodies = [
      'say "hi"',
      'back\\slash',
      '{braces}, and commas',
      'NULL',
      "it's",
      'ünïcödé 🎉',
      'line\nbreak',
    ];
    const batch = await appendMessages(
      em(),
      bodies.map((body) => newSend(room.id, ann.id, body)),
    );
    expect(batch.map((appended) => appended?.message.body)).toStrictEqual(bodies);
    const alone = await say(em(), room.id, ann.id, '{"a", NULL}');
    expect(alone?.message.body).toBe('{"a", NULL}');
  });

  it('is one prepared statement on a connection for batches of every size, not one per size', async () => {
    const ann = await person('Ann');
    const room = await publicRoom();
    const prepared = await em().transactional(async (tx) => {
      for (const size of [1, 2, 5]) {
        const sends = Array.from({ length: size }, (_, i) =>
          newSend(room.id, ann.id, `batch of ${size}, ${i}`),
        );
        await appendMessages(tx, sends);
      }
      return tx.execute<{ count: string }[]>(
        `select count(*) from pg_prepared_statements where statement like '%insert into messages%'`,
      );
    });
    expect(prepared).toStrictEqual([{ count: '1' }]);
  });
});

describe('messagesBefore', () => {
  it('pages a room newest first, each message with every column and its sender', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const sent = [];
    for (const [who, body] of [
      [ann, 'one'],
      [bob, 'two'],
      [ann, 'three'],
    ] as const) {
      sent.push((await say(em(), roomId, who.id, body))?.message);
    }
    await em().nativeUpdate(Message, { id: sent[1]?.id }, { editedAt: new Date('2026-01-02T03:04:05Z') });
    const newest = await messagesBefore(em(), roomId, null, 2);
    expect(newest.map((m) => m.body)).toStrictEqual(['three', 'two']);
    expect(newest[1]).toStrictEqual({
      id: sent[1]?.id,
      roomId,
      seq: 2,
      clientId: sent[1]?.clientId,
      body: 'two',
      createdAt: sent[1]?.createdAt,
      editedAt: new Date('2026-01-02T03:04:05Z'),
      deletedAt: null,
      deletedBy: null,
      quoted: null,
      reactions: [],
      mentions: [],
      attachments: [],
      sender: bob,
    });
    const older = await messagesBefore(em(), roomId, 2, 10);
    expect(older).toStrictEqual([sent[0]]);
    expect(older[0]?.sender).toStrictEqual(ann);
  });
});

describe('messagesAfter', () => {
  it('pages a room oldest first after a seq, each message with every column and its sender', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const sent = [];
    for (const [who, body] of [
      [ann, 'one'],
      [bob, 'two'],
      [ann, 'three'],
    ] as const) {
      sent.push((await say(em(), roomId, who.id, body))?.message);
    }
    const after = await messagesAfter(em(), roomId, 1, 10);
    expect(after).toStrictEqual([sent[1], sent[2]]);
    expect(after[0]?.sender).toStrictEqual(bob);
    expect(await messagesAfter(em(), roomId, 1, 1)).toStrictEqual([sent[1]]);
    expect(await messagesAfter(em(), roomId, 3, 10)).toStrictEqual([]);
  });
});

describe('eventsAfter', () => {
  it('returns the events between two positions in order, with positions as numbers and messages as they are now', async () => {
    const { ann, roomId } = await friendsWithRoom();
    for (const body of ['one', 'two', 'three', 'four']) await say(em(), roomId, ann.id, body);
    const deletedAt = new Date('2026-02-03T04:05:06Z');
    await em().nativeUpdate(Message, { roomId, seq: 3 }, { deletedAt, deletedBy: 'moderator' });
    const events = await eventsAfter(em(), roomId, 1, 4, 10);
    expect(events.map((e) => [e.position, e.type, e.message.body])).toStrictEqual([
      [2, 'message.created', 'two'],
      [3, 'message.created', 'three'],
    ]);
    expect(events[1]?.message).toMatchObject({ seq: 3, deletedAt, deletedBy: 'moderator', sender: ann });
    expect(await eventsAfter(em(), roomId, 0, null, 2)).toHaveLength(2);
  });
});

describe('replies', () => {
  const reply = (roomId: number, senderId: number, body: string, replyToId: string) =>
    appendMessage(em(), newSend(roomId, senderId, body, replyToId));

  it('stores the original a reply answers and returns it, cut short, with its sender', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const original = await say(em(), roomId, ann.id, `Lunch? ${'x'.repeat(600)}`);
    const answer = await reply(roomId, bob.id, 'Yes!', original?.message.id ?? '0');
    expect(answer?.message.quoted).toStrictEqual({
      id: original?.message.id,
      seq: original?.message.seq,
      body: `Lunch? ${'x'.repeat(600)}`.slice(0, 480),
      deletedAt: null,
      sender: ann,
    });
    const stored = await em().findOneOrFail(Message, { id: answer?.message.id ?? '0' });
    expect(stored.replyTo).toBe(original?.message.id);
  });

  it('stores nothing for a reply to a message of another room, or to a deleted one', async () => {
    const { ann, roomId } = await friendsWithRoom();
    const elsewhere = await friendsWithRoom();
    const foreign = await say(em(), elsewhere.roomId, elsewhere.ann.id, 'not yours');
    const gone = await say(em(), roomId, ann.id, 'soon gone');
    await em().nativeUpdate(Message, { id: gone?.message.id ?? '0' }, { deletedAt: new Date() });
    expect(await reply(roomId, ann.id, 'hm', foreign?.message.id ?? '0')).toBeNull();
    expect(await reply(roomId, ann.id, 'hm', gone?.message.id ?? '0')).toBeNull();
    expect(await em().count(Message, { roomId, body: 'hm' })).toBe(0);
  });

  it('gives history, catch-up and the room preview each reply with its original as it is now', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const original = await say(em(), roomId, ann.id, 'Who has the keys?');
    const answer = await reply(roomId, bob.id, 'Me', original?.message.id ?? '0');
    const deletedAt = new Date('2026-02-03T04:05:06.789Z');
    await em().nativeUpdate(Message, { id: original?.message.id ?? '0' }, { body: '', deletedAt });
    const quoted = { id: original?.message.id, seq: original?.message.seq, body: '', deletedAt, sender: ann };
    const [newest] = await messagesBefore(em(), roomId, null, 1);
    expect(newest?.quoted).toStrictEqual(quoted);
    const events = await eventsAfter(em(), roomId, 0, null, 10);
    expect(events.map((event) => event.message.quoted)).toStrictEqual([null, quoted]);
    const [room] = await roomsSeenBy(em(), bob.id, roomId);
    expect(room?.last?.id).toBe(answer?.message.id);
    expect(room?.last?.quoted).toStrictEqual(quoted);
  });
});

describe('moveReadPositions', () => {
  const move = async (roomId: number, userId: number, seq: number) =>
    (await moveReadPositions(em(), [{ roomId, userId, seq }]))[0];

  it('moves forward only, never past the room end, and recounts what the reader has not read', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    for (const body of ['one', 'two', 'three']) await say(em(), roomId, ann.id, body);
    expect(await move(roomId, bob.id, 1)).toStrictEqual({
      readSeq: 1,
      unread: 2,
      mentions: 0,
      noticesRead: 0,
    });
    expect(await move(roomId, bob.id, 0)).toStrictEqual({
      readSeq: 1,
      unread: 2,
      mentions: 0,
      noticesRead: 0,
    });
    expect(await move(roomId, bob.id, 99)).toStrictEqual({
      readSeq: 3,
      unread: 0,
      mentions: 0,
      noticesRead: 0,
    });
  });

  it('lets a newcomer to the public room join at its end, and refuses a stranger to a private room', async () => {
    const { roomId } = await friendsWithRoom();
    const newcomer = await person('Newcomer');
    const room = await publicRoom();
    expect(await move(room.id, newcomer.id, 0)).toStrictEqual({
      readSeq: room.position,
      unread: 0,
      mentions: 0,
      noticesRead: 0,
    });
    expect(await move(roomId, newcomer.id, 1)).toBeNull();
  });

  it('moves many readers at once, answering each in the order asked; the same reader twice goes furthest', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    for (const body of ['one', 'two', 'three', 'four']) await say(em(), roomId, ann.id, body);
    const stranger = await person('Stranger');
    const answers = await moveReadPositions(em(), [
      { roomId, userId: bob.id, seq: 1 },
      { roomId, userId: stranger.id, seq: 2 },
      { roomId, userId: ann.id, seq: 4 },
      { roomId, userId: bob.id, seq: 3 },
      { roomId: 999_999, userId: bob.id, seq: 1 },
    ]);
    expect(answers).toStrictEqual([
      { readSeq: 3, unread: 1, mentions: 0, noticesRead: 0 },
      null,
      { readSeq: 4, unread: 0, mentions: 0, noticesRead: 0 },
      { readSeq: 3, unread: 1, mentions: 0, noticesRead: 0 },
      null,
    ]);
  });
});

describe('roomsSeenBy', () => {
  it("gives each room with the reader's place, the other member, the newest message and the unread count", async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const first = await say(em(), roomId, bob.id, 'first');
    const last = await say(em(), roomId, bob.id, 'newest');
    const editedAt = new Date('2026-01-02T03:04:05.678Z');
    await em().nativeUpdate(Message, { id: last?.message.id ?? '0' }, { body: 'newest, edited', editedAt });
    const rooms = await roomsSeenBy(em(), ann.id);
    const room = await publicRoom();
    expect(rooms).toStrictEqual([
      {
        room: { id: roomId, kind: 'private', name: 'Direct message', position: 2 },
        readSeq: 0,
        other: bob,
        friends: true,
        last: { ...last?.message, body: 'newest, edited', editedAt },
        unread: 2,
        mentions: 0,
      },
      expect.objectContaining({
        room: { id: room.id, kind: 'public', name: room.name, position: room.position },
      }),
    ]);
    expect(first?.message.seq).toBe(1);
  });

  it('skips a deleted message for the preview, marks a former friend, and narrows to one room on request', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const kept = await say(em(), roomId, ann.id, 'kept');
    const gone = await say(em(), roomId, ann.id, 'gone');
    await em().nativeUpdate(
      Message,
      { id: gone?.message.id ?? '0' },
      { body: '', deletedAt: new Date(), deletedBy: 'sender' },
    );
    // As the deletion does: Bob's kept count loses it.
    await dropFromUnread(em(), { roomId, seq: gone?.message.seq ?? 0, senderId: ann.id });
    await em().nativeDelete(Friendship, { userLow: ann.id, userHigh: bob.id });
    const [room, ...more] = await roomsSeenBy(em(), bob.id, roomId);
    expect(more).toEqual([]);
    expect(room).toStrictEqual({
      room: { id: roomId, kind: 'private', name: 'Direct message', position: 2 },
      readSeq: 0,
      other: ann,
      friends: false,
      last: kept?.message,
      unread: 1,
      mentions: 0,
    });
  });

  it('shows a visitor who is not signed in the public room only, with no place of their own', async () => {
    await friendsWithRoom();
    const room = await publicRoom();
    const rooms = await roomsSeenBy(em(), null);
    expect(rooms).toHaveLength(1);
    expect(rooms[0]).toMatchObject({ room: { id: room.id, kind: 'public' }, readSeq: null, other: null });
    expect(typeof rooms[0]?.unread).toBe('number');
  });
});

describe('reactions, as every message statement selects them', () => {
  it('groups by emoji, first reacted first, with counts and the first 20 reactors, in history, catch-up, the room list and by id', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const sent = await say(em(), roomId, ann.id, 'Lunch?');
    const messageId = sent?.message.id ?? '0';
    const crowd = [];
    for (let i = 0; i < 21; i++) crowd.push(await person(`Fan${i}`));
    await em().insert(Reaction, { messageId, userId: bob.id, emoji: '🍕' });
    await em().insert(Reaction, { messageId, userId: ann.id, emoji: '👍' });
    for (const fan of crowd) await em().insert(Reaction, { messageId, userId: fan.id, emoji: '👍' });
    await em().insert(Reaction, { messageId, userId: ann.id, emoji: '🍕' });

    const expected = [
      { emoji: '🍕', count: 2, userIds: [bob.id, ann.id] },
      { emoji: '👍', count: 22, userIds: [ann.id, ...crowd.slice(0, 19).map((fan) => fan.id)] },
    ];
    const [inHistory] = await messagesBefore(em(), roomId, null, 1);
    expect(inHistory?.reactions).toStrictEqual(expected);
    const [created] = await eventsAfter(em(), roomId, 0, null, 1);
    expect(created?.message.reactions).toStrictEqual(expected);
    const listed = await roomsSeenBy(em(), ann.id, roomId);
    expect(listed[0]?.last?.reactions).toStrictEqual(expected);
    expect(await extrasOf(em(), [messageId])).toStrictEqual(
      new Map([[messageId, { reactions: expected, attachments: [], mentions: [] }]]),
    );
  });

  it('gives an empty list for a message nobody reacted to, and no entry for an id it does not know', async () => {
    const { ann, roomId } = await friendsWithRoom();
    const sent = await say(em(), roomId, ann.id, 'Quiet');
    expect(sent?.message.reactions).toStrictEqual([]);
    const id = sent?.message.id ?? '0';
    expect(await extrasOf(em(), [id, '999999999'])).toStrictEqual(
      new Map([[id, { reactions: [], attachments: [], mentions: [] }]]),
    );
    expect(await extrasOf(em(), [])).toStrictEqual(new Map());
  });
});

describe('loadRoom', () => {
  it('a crowd asking for a room this instance has not read yet costs one read, and each gets the room', async () => {
    const room = await publicRoom();
    const { orm, statements } = await loggedOrm(db.url);
    try {
      // As ten thousand sockets resuming after a restart do: all before the first read has come back.
      const loaded = await Promise.all(Array.from({ length: 50 }, () => loadRoom(orm.em.fork(), room.id)));
      expect(new Set(loaded.map((access) => access.kind))).toEqual(new Set(['public']));
      expect(statements.filter((line) => /from "rooms"|from rooms/.test(line))).toHaveLength(1);
      // A room that does not exist is refused to every asker, and a later ask reads again.
      const missing = Array.from({ length: 3 }, () => loadRoom(orm.em.fork(), 999_999));
      for (const ask of missing) await expect(ask).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(loadRoom(orm.em.fork(), 999_999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(statements.filter((line) => /from "rooms"|from rooms/.test(line))).toHaveLength(3);
    } finally {
      await orm.close();
    }
  });

  it("many rooms asked for at once (every tab's, after a restart) go as a few reads, each room with its members", async () => {
    const rooms = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const { ann, bob, roomId } = await friendsWithRoom();
        return { roomId, members: [ann.id, bob.id].sort((a, b) => a - b) };
      }),
    );
    const { orm, statements } = await loggedOrm(db.url);
    try {
      const loaded = await Promise.all(rooms.map(({ roomId }) => loadRoom(orm.em.fork(), roomId)));
      expect(
        loaded.map(({ id, kind, userLow, userHigh }) => ({ id, kind, members: [userLow, userHigh] })),
      ).toStrictEqual(rooms.map(({ roomId, members }) => ({ id: roomId, kind: 'private', members })));
      // The first two go alone (two reads out at a time); the other eight wait and go together.
      expect(statements.filter((line) => /from "rooms"|from rooms/.test(line))).toHaveLength(3);
    } finally {
      await orm.close();
    }
  });
});

describe('roomAccesses', () => {
  it('reads each room named once, with its kind and members; an id with no room is left out', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const open = await publicRoom();
    const found = await roomAccesses(em(), [roomId, open.id, roomId, 999_999]);
    expect(found.sort((a, b) => a.id - b.id)).toStrictEqual(
      [
        {
          id: roomId,
          kind: 'private',
          userLow: Math.min(ann.id, bob.id),
          userHigh: Math.max(ann.id, bob.id),
        },
        { id: open.id, kind: 'public', userLow: null, userHigh: null },
      ].sort((a, b) => a.id - b.id),
    );
  });
});

describe('streamStarts', () => {
  it('reads each room once: its position and its newest events up to it, in order, each as history shows it', async () => {
    const { ann, roomId } = await friendsWithRoom();
    for (const body of ['one', 'two', 'three']) await say(em(), roomId, ann.id, body);
    const quiet = await friendsWithRoom();
    const starts = await streamStarts(em(), [
      { id: roomId, newest: 2 },
      { id: quiet.roomId, newest: 5 },
      { id: 999_999, newest: 5 },
    ]);
    const byId = new Map(starts.map((start) => [start.id, start]));
    expect(starts).toHaveLength(2);
    const talking = byId.get(roomId);
    expect(talking?.position).toBe(3);
    expect(talking?.events.map((e) => [e.position, e.type, e.message.body])).toStrictEqual([
      [2, 'message.created', 'two'],
      [3, 'message.created', 'three'],
    ]);
    expect(talking?.events[1]?.message).toStrictEqual(
      (await eventsAfter(em(), roomId, 2, null, 1))[0]?.message,
    );
    expect(byId.get(quiet.roomId)).toStrictEqual({ id: quiet.roomId, position: 0, events: [] });
    expect((await streamStarts(em(), [{ id: roomId, newest: 0 }]))[0]).toStrictEqual({
      id: roomId,
      position: 3,
      events: [],
    });
  });
});
