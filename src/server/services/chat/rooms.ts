import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { CurrentUser } from '../../auth/current-users.ts';
import { Batched } from '../../db/batched.ts';
import { Room, RoomMember, User } from '../../db/entities/index.ts';
import { gatheredById } from '../../db/gathered.ts';
import { type Orm, perOrm } from '../../db/orm.ts';
import { type RoomAccessRow, roomAccesses, roomsSeenBy } from '../../db/statements/chat.ts';
import { type MovedRead, moveReadPositions, type ReadMove } from '../../db/statements/read-positions.ts';
import type { Deps } from '../../deps.ts';
import { MutedUntil } from '../../errors.ts';
import { Remembered } from '../../remembered.ts';
import { type RoomView, roomViewOf } from '../../views/chat.ts';
import { areFriends } from '../friends.ts';
import { publishUnreadCount } from '../notifications.ts';

export type { RoomView };

/** What deciding who may read or write a room needs of it. */
export type RoomAccess = RoomAccessRow;

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'That room does not exist.' });

/**
 * A room's kind and members never change once it exists (and rooms are never deleted), so each instance keeps
 * them: every subscription and socket call asks, and the ORM's result cache cost ~0.25 ms of CPU per hit
 * (hydrating an entity each time) where this costs a map look-up. Kept per ORM, as tests run several instances
 * (each with its own database) in one process, beside the reads under way: a crowd asking for a room this instance
 * has not read yet (ten thousand sockets resuming after a restart, all subscribing to the public room) waits for
 * one read, not one each (a storm's profile had the database client at half of every second until the first read
 * came back). Reads of different rooms go together (`gatheredById`): every tab's room, after a restart.
 */
interface RoomAccessMemory {
  known: Remembered<number, RoomAccess>;
  reads: Map<number, Promise<RoomAccess>>;
  read(roomId: number): Promise<RoomAccess | undefined>;
}

const roomAccessMemory = { ttlMs: 60 * 60_000, maxEntries: 10_000 };

const roomAccessOf = perOrm(
  (em): RoomAccessMemory => ({
    known: new Remembered(roomAccessMemory),
    reads: new Map(),
    read: gatheredById(em, roomAccesses),
  }),
);

export async function loadRoom(em: EntityManager, roomId: number): Promise<RoomAccess> {
  const memory = roomAccessOf(em);
  const { known, reads } = memory;
  const remembered = known.get(roomId);
  if (remembered) return remembered;
  const underWay = reads.get(roomId);
  if (underWay) return underWay;
  const read = readRoomAccess(memory, roomId);
  reads.set(roomId, read);
  try {
    return await read;
  } finally {
    reads.delete(roomId);
  }
}

async function readRoomAccess(memory: RoomAccessMemory, roomId: number): Promise<RoomAccess> {
  const access = await memory.read(roomId);
  // A room that does not exist yet may exist a moment later: its absence is not remembered.
  if (!access) throw notFound();
  memory.known.set(roomId, access);
  return access;
}

export const isMember = (room: RoomAccess, userId: number | null) =>
  room.kind === 'public' || (userId !== null && (room.userLow === userId || room.userHigh === userId));

/** Reading: anyone may read the public room, signed in or not; a private room only its two members. */
export async function authorizeRead(
  em: EntityManager,
  roomId: number,
  userId: number | null,
): Promise<RoomAccess> {
  const room = await loadRoom(em, roomId);
  if (!isMember(room, userId)) {
    if (userId === null)
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in to read this room.' });
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not a member of this room.' });
  }
  return room;
}

/** What writing needs to know about the writer: the account as it is now (see `auth/current-users.ts`). */
export type Writer = Pick<CurrentUser, 'id' | 'bannedUntil' | 'mutedUntil' | 'muteReason'>;

/** Writing: signed in, not muted, a member, and in a private room still friends with the other member. */
export async function authorizeWrite(em: EntityManager, roomId: number, writer: Writer): Promise<RoomAccess> {
  const room = await authorizeRead(em, roomId, writer.id);
  assertNotMuted(writer);
  const other = otherMember(room, writer.id);
  if (other !== null) {
    if (!(await areFriends(em, writer.id, other))) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: 'You can only message people who are your friends.',
      });
    }
  }
  return room;
}

function assertNotMuted({ bannedUntil, mutedUntil, muteReason }: Writer): void {
  const now = Date.now();
  if (bannedUntil && bannedUntil.getTime() > now) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Your account is banned: you cannot send messages.' });
  }
  if (mutedUntil && mutedUntil.getTime() > now) {
    const why = muteReason ? ` Reason: ${muteReason}` : '';
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `You are muted until ${mutedUntil.toISOString()} and cannot send messages.${why}`,
      cause: new MutedUntil(mutedUntil),
    });
  }
}

/** The other member of a private room; null in the public room. */
export const otherMember = (room: RoomAccess, userId: number) =>
  (room.userLow === userId ? room.userHigh : room.userLow) ?? null;

export async function publicRoomId(em: EntityManager): Promise<number> {
  const room = await em.findOneOrFail(Room, { kind: 'public' }, { fields: ['id'] });
  return room.id;
}

/** Someone who registers joins the public room at its current position: they start with nothing unread. */
export async function joinPublicRoom(em: EntityManager, userId: number): Promise<void> {
  await ensureMember(em, await publicRoomId(em), userId);
}

/** A member row starts at the room's current position: someone new has nothing unread. */
async function ensureMember(em: EntityManager, roomId: number, userId: number): Promise<void> {
  await em
    .createQueryBuilder(RoomMember)
    .insert({ roomId, userId, readSeq: raw('(select position from rooms where id = ?)', [roomId]) })
    .onConflict()
    .ignore()
    .execute();
}

/**
 * The rooms a user sees, newest activity first: the public room, and their private rooms. After an unfriend the
 * room stays, marked `formerFriend`, so its history and its person's name stay reachable; it opens again for
 * writing, with its history, if they become friends again. A room with someone who blocked the viewer is left out.
 */
export async function listRooms(
  em: EntityManager,
  userId: number | null,
  only?: number,
): Promise<RoomView[]> {
  if (userId !== null) await ensureMember(em, await publicRoomId(em), userId);
  return (await roomsSeenBy(em, userId, only)).map(roomViewOf);
}

export async function roomView(em: EntityManager, roomId: number, userId: number | null): Promise<RoomView> {
  const [room] = await listRooms(em, userId, roomId);
  if (!room) throw notFound();
  return room;
}

/** The one private room of a pair, created on first use; only friends may open it. */
export async function openPrivate(em: EntityManager, me: number, userId: number): Promise<RoomView> {
  if (me === userId)
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot open a chat with yourself.' });
  if ((await em.count(User, { id: userId })) === 0)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'That user does not exist.' });
  if (!(await areFriends(em, me, userId))) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only message people who are your friends.' });
  }
  const [low, high] = [Math.min(me, userId), Math.max(me, userId)];
  // The room and both memberships in one transaction: nobody sees the room before its members' rows, which its
  // sends move (the kept unread count, `RoomMember.unread`).
  const roomId = await em.transactional(async (tx) => {
    // The pair's unique index (rooms_private_pair) makes a second opening, even a racing one, change nothing.
    await tx
      .createQueryBuilder(Room)
      .insert({ kind: 'private', name: 'Direct message', userLow: low, userHigh: high })
      .onConflict()
      .ignore()
      .execute();
    const room = await tx.findOneOrFail(
      Room,
      { kind: 'private', userLow: low, userHigh: high },
      { fields: ['id'] },
    );
    await ensureMember(tx, room.id, low);
    await ensureMember(tx, room.id, high);
    return room.id;
  });
  return roomView(em, roomId, me);
}

/**
 * Moves the reader's position forward only, never past the room's end, and returns the new unread count: one
 * statement (it is called by every reader of a busy room). Someone who may not read the room changes nothing,
 * and learns why afterwards.
 */
/** Readers' marks, gathered into one statement per batch while the database works on the one before. */
export type ReadPositions = Batched<ReadMove, MovedRead | null>;

export function createReadPositions(orm: Orm): ReadPositions {
  // One entity manager for every batch, as the group commit's: the statement is raw and in no transaction.
  const em = orm.em.fork();
  return new Batched((moves) => moveReadPositions(em, moves), { concurrency: 2, maxBatch: 500 });
}

export async function markRead(deps: Deps, em: EntityManager, roomId: number, userId: number, seq: number) {
  const moved = await deps.readPositions.call({ roomId, userId, seq });
  if (!moved) {
    await authorizeRead(em, roomId, userId);
    throw notFound();
  }
  // The bell's count changed in every tab (tabs showing its list read it again); the answer does not wait.
  if (moved.noticesRead > 0) {
    void publishUnreadCount(deps, userId).catch((cause) =>
      deps.log.warn('Could not announce the notifications read with a room', { roomId, cause }),
    );
  }
  return { roomId, unread: moved.unread, mentions: moved.mentions, readSeq: moved.readSeq };
}
