import type { EntityManager } from '@mikro-orm/postgresql';
import { Block, Room, User } from '../../db/entities/index.ts';
import { authorizeRead } from './rooms.ts';

/** Where a hit is: the room, named as the reader's room list names it (a private room by the other person). */
export interface HitRoom {
  id: number;
  kind: 'public' | 'private';
  name: string;
}

/**
 * The rooms a person can search: the public room and their private rooms (still after an unfriend, as their
 * history stays readable), but not a room with someone who blocked them, which their room list leaves out too.
 */
async function searchableRoomIds(em: EntityManager, userId: number): Promise<number[]> {
  const [rooms, blocks] = await Promise.all([
    em.find(
      Room,
      { $or: [{ kind: 'public' }, { userLow: userId }, { userHigh: userId }] },
      { fields: ['id', 'kind', 'userLow', 'userHigh'] },
    ),
    em.find(Block, { blockedId: userId }),
  ]);
  const blockers = new Set(blocks.map((block) => block.blockerId));
  const other = (room: Pick<Room, 'userLow' | 'userHigh'>) =>
    room.userLow === userId ? room.userHigh : room.userLow;
  return rooms
    .filter((room) => room.kind === 'public' || !blockers.has(other(room) ?? 0))
    .map((room) => room.id);
}

/** The rooms a search covers: the one asked for, if the reader may read it, else all the reader's. */
export async function roomsToSearch(em: EntityManager, userId: number, roomId: number | null | undefined) {
  return roomId ? [(await authorizeRead(em, roomId, userId)).id] : searchableRoomIds(em, userId);
}

/** The rooms of a page of hits, by id, with their names for the reader. */
export async function hitRooms(
  em: EntityManager,
  userId: number,
  roomIds: number[],
): Promise<Map<number, HitRoom>> {
  const rooms = await em.find(
    Room,
    { id: { $in: roomIds } },
    { fields: ['id', 'kind', 'name', 'userLow', 'userHigh'] },
  );
  const otherOf = (room: (typeof rooms)[number]) => (room.userLow === userId ? room.userHigh : room.userLow);
  const otherIds = rooms.flatMap((room) => (room.kind === 'private' ? [otherOf(room) ?? 0] : []));
  const others = await em.find(User, { id: { $in: otherIds } }, { fields: ['id', 'displayName'] });
  const names = new Map(others.map((user) => [user.id, user.displayName]));
  return new Map(
    rooms.map((room) => [
      room.id,
      { id: room.id, kind: room.kind, name: names.get(otherOf(room) ?? 0) ?? room.name },
    ]),
  );
}
