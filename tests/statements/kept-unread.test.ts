/**
 * A private room's unread count is kept on the membership (`room_members.unread`), moved by every statement that
 * changes it rather than recounted for each new message. Here it is held, after each step, to a recount from the
 * stored rows by API.md's rule: sends alone and in batches, refused sends, deletions read and unread, read moves,
 * and a read move racing a send or a deletion that commits while it waits for the room.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { Friendship, Message, Room, RoomMember, User } from '../../src/server/db/entities/index.ts';
import {
  appendMessage,
  appendMessages,
  roomsSeenBy,
  takeNextPosition,
} from '../../src/server/db/statements/chat.ts';
import { dropFromUnread, moveReadPositions } from '../../src/server/db/statements/read-positions.ts';
import { insertPerson, insertPrivateRoom, statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();
const em = () => db.em();

async function friendsWithRoom() {
  const [ann, bob] = [await insertPerson(em(), 'Ann'), await insertPerson(em(), 'Bob')];
  const roomId = await insertPrivateRoom(em(), ann, bob);
  return { ann, bob, roomId };
}

let clientIds = 0;
const newSend = (roomId: number, senderId: number) => ({
  roomId,
  senderId,
  clientId: `kept-${++clientIds}`,
  body: `message ${clientIds}`,
});

/** The kept count and the recount by the rule, for one member: they must always agree. */
async function keptAndRecounted(roomId: number, userId: number) {
  const [row] = await em().execute<{ kept: number; recounted: string }[]>(
    `select rm.unread as kept, (select count(*) from messages m where m.room_id = rm.room_id
        and m.seq > rm.read_seq and m.deleted_at is null and m.sender_id <> rm.user_id) as recounted
      from room_members rm where rm.room_id = ? and rm.user_id = ?`,
    [roomId, userId],
  );
  return { kept: row?.kept, recounted: Number(row?.recounted) };
}

async function expectKept(roomId: number, userId: number, unread: number, after: string) {
  expect(await keptAndRecounted(roomId, userId), after).toStrictEqual({ kept: unread, recounted: unread });
}

/** A deletion as `services/chat/post.ts` makes it, in its own transaction under the room's lock. */
async function deleteMessage(tx: EntityManager, message: { id: string; seq: number; senderId: number }) {
  const roomId = (await tx.findOneOrFail(Message, message.id, { fields: ['roomId'] })).roomId;
  await takeNextPosition(tx, roomId);
  await tx.nativeUpdate(
    Message,
    { id: message.id },
    { body: '', deletedAt: new Date(), deletedBy: 'sender' },
  );
  await dropFromUnread(tx, { roomId, seq: message.seq, senderId: message.senderId });
}

const sent = (appended: Awaited<ReturnType<typeof appendMessage>> | undefined) => {
  if (!appended) throw new Error('the send was refused');
  return { id: appended.message.id, seq: appended.message.seq, senderId: appended.message.sender.id };
};

describe('the kept unread count of a private room', () => {
  it('follows sends alone and in batches, refusals, deletions and reads, as a recount would', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const [first] = await Promise.all([1, 2, 3].map(() => appendMessage(em(), newSend(roomId, ann.id))));
    await expectKept(roomId, bob.id, 3, 'three sends of Ann');
    await expectKept(roomId, ann.id, 0, 'her own sends');

    // One statement, both members sending: each reads up to their own last send in it.
    await appendMessages(em(), [newSend(roomId, ann.id), newSend(roomId, bob.id), newSend(roomId, ann.id)]);
    await expectKept(roomId, bob.id, 1, 'a batch: Ann, Bob, Ann');
    await expectKept(roomId, ann.id, 0, 'a batch ending with Ann');
    await appendMessages(em(), [newSend(roomId, bob.id), newSend(roomId, bob.id)]);
    await expectKept(roomId, ann.id, 2, 'a batch of two from Bob');
    await expectKept(roomId, bob.id, 0, 'his own batch');

    // Refused sends change nothing: muted, banned, no longer friends.
    await em().nativeUpdate(User, { id: ann.id }, { mutedUntil: new Date(Date.now() + 60_000) });
    expect(await appendMessage(em(), newSend(roomId, ann.id))).toBeNull();
    await em().nativeUpdate(
      User,
      { id: ann.id },
      { mutedUntil: null, bannedUntil: new Date(Date.now() + 60_000) },
    );
    expect(await appendMessage(em(), newSend(roomId, ann.id))).toBeNull();
    await em().nativeUpdate(User, { id: ann.id }, { bannedUntil: null });
    await em().nativeDelete(Friendship, { userLow: ann.id, userHigh: bob.id });
    expect(await appendMessage(em(), newSend(roomId, bob.id))).toBeNull();
    await expectKept(roomId, bob.id, 0, 'refused sends');
    await expectKept(roomId, ann.id, 2, 'refused sends');
    await em().insert(Friendship, { userLow: ann.id, userHigh: bob.id });

    // Bob had read Ann's first message (he sent after it): deleting it leaves his count; an unread one leaves it.
    await em().transactional((tx) => deleteMessage(tx, sent(first)));
    await expectKept(roomId, bob.id, 0, 'a deleted message Bob had read');
    const last = sent(await appendMessage(em(), newSend(roomId, ann.id)));
    await expectKept(roomId, bob.id, 1, 'one more from Ann');
    await em().transactional((tx) => deleteMessage(tx, last));
    await expectKept(roomId, bob.id, 0, 'a deleted message Bob had not read');

    // Reads: a move back changes nothing, a move forward counts what is left after it.
    const [, , newest] = await appendMessages(
      em(),
      [0, 1, 2].map(() => newSend(roomId, ann.id)),
    );
    await expectKept(roomId, bob.id, 3, 'three more from Ann');
    expect(await moveReadPositions(em(), [{ roomId, userId: bob.id, seq: 1 }])).toStrictEqual([
      {
        readSeq: (await em().findOneOrFail(RoomMember, { roomId, userId: bob.id })).readSeq,
        unread: 3,
        mentions: 0,
        noticesRead: 0,
      },
    ]);
    const [moved] = await moveReadPositions(em(), [
      { roomId, userId: bob.id, seq: (newest?.message.seq ?? 0) - 1 },
    ]);
    expect(moved?.unread).toBe(1);
    await expectKept(roomId, bob.id, 1, 'Bob read all but the newest');
    const [listed] = await roomsSeenBy(em(), bob.id, roomId);
    expect(listed?.unread, 'the room list reads the kept count').toBe(1);
  });

  it('stays exact when a read move waits for a send or a deletion that commits meanwhile', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    const stored: ReturnType<typeof sent>[] = [];
    for (let n = 0; n < 5; n++) stored.push(sent(await appendMessage(em(), newSend(roomId, ann.id))));
    // A deletion and a send, each in a transaction holding the room while Bob's read move starts: the move's
    // statement begins before they commit and takes the room after, so its own view would count from before them.
    const races: [(tx: EntityManager) => Promise<unknown>, number][] = [
      [(tx) => deleteMessage(tx, stored[3]!), 2],
      [(tx) => appendMessage(tx, newSend(roomId, ann.id)), 3],
    ];
    for (const [change, seq] of races) {
      const tx = em();
      await tx.begin();
      await change(tx);
      const reading = moveReadPositions(em(), [{ roomId, userId: bob.id, seq }]);
      await waitUntilSomeoneWaitsForALock();
      await tx.commit();
      const [moved] = await reading;
      const { kept, recounted } = await keptAndRecounted(roomId, bob.id);
      expect({ readSeq: moved?.readSeq, answered: moved?.unread, kept }).toStrictEqual({
        readSeq: seq,
        answered: recounted,
        kept: recounted,
      });
    }
  });

  it('stays exact when a send waits for another send to its room, as group commit batches in flight do', async () => {
    const { ann, bob, roomId } = await friendsWithRoom();
    await appendMessage(em(), newSend(roomId, bob.id));
    const tx = em();
    await tx.begin();
    await appendMessage(tx, newSend(roomId, ann.id));
    const waiting = appendMessages(em(), [
      newSend(roomId, ann.id),
      newSend(roomId, bob.id),
      newSend(roomId, ann.id),
    ]);
    await waitUntilSomeoneWaitsForALock();
    await tx.commit();
    const answers = await waiting;
    expect(answers.map((answer) => answer?.others[0]?.unread)).toStrictEqual([2, 1, 1]);
    await expectKept(roomId, bob.id, 1, 'after both statements');
    await expectKept(roomId, ann.id, 0, 'after both statements');
  });

  it('is not kept for the public room: its members start at 0 and stay there, their unread counted', async () => {
    const [ann, bob] = [await insertPerson(em(), 'Ann'), await insertPerson(em(), 'Bob')];
    const room = await em().findOneOrFail(Room, { kind: 'public' });
    await moveReadPositions(em(), [{ roomId: room.id, userId: bob.id, seq: 0 }]);
    await appendMessages(em(), [newSend(room.id, ann.id), newSend(room.id, ann.id)]);
    const member = await em().findOneOrFail(RoomMember, { roomId: room.id, userId: bob.id });
    expect(member.unread).toBe(0);
    const [listed] = await roomsSeenBy(em(), bob.id, room.id);
    expect(listed?.unread).toBe(2);
  });
});

/** Until a statement of this database waits for a row lock (the read move, behind the open transaction). */
async function waitUntilSomeoneWaitsForALock(): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const [row] = await em().execute<{ waiting: string }[]>(
      `select count(*) as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (Number(row?.waiting) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('No statement came to wait for the room');
}
