import { type EntityManager, raw } from '@mikro-orm/postgresql';
import { RoomMember } from '../../db/entities/index.ts';
import type { Deps } from '../../deps.ts';
import type { UserEvent } from '../notifications.ts';
import { userChannel } from '../session-events.ts';
import { authorizeRead } from './rooms.ts';

/**
 * Mutes or unmutes a room for one member: a muted room still counts unread, but never notifies them. It is kept
 * on the membership, so it follows the person to every device; every open tab of theirs hears it at once.
 */
export async function setRoomMuted(
  deps: Deps,
  em: EntityManager,
  userId: number,
  roomId: number,
  muted: boolean,
): Promise<{ roomId: number; muted: boolean }> {
  await authorizeRead(em, roomId, userId);
  // One statement: someone not yet a member of the public room joins it at its end (nothing unread), muted or not.
  await em
    .createQueryBuilder(RoomMember)
    .insert({ roomId, userId, readSeq: raw('(select position from rooms where id = ?)', [roomId]), muted })
    .onConflict(['roomId', 'userId'])
    .merge(['muted'])
    .execute();
  const event: UserEvent = { type: 'room.muted', roomId, muted };
  await deps.bus.publish(userChannel(userId), event);
  return { roomId, muted };
}

/** The rooms this person muted, by id. */
export async function mutedRoomIds(em: EntityManager, userId: number): Promise<Set<number>> {
  const rows = await em.find(RoomMember, { userId, muted: true }, { fields: ['roomId'] });
  return new Set(rows.map((row) => row.roomId));
}

/** Room views as this person sees them, each saying whether they muted it. */
export async function withMuted<R extends { id: number }>(
  em: EntityManager,
  userId: number | null,
  rooms: R[],
): Promise<(R & { muted: boolean })[]> {
  const muted = userId === null ? new Set<number>() : await mutedRoomIds(em, userId);
  // Not `{ ...room, muted }`, which Node 20 promotes (procedure-call.ts): a room list makes one per room.
  return rooms.map((room) => Object.assign({}, room, { muted: muted.has(room.id) }));
}

/** One room view as this person sees it, saying whether they muted it. */
export async function withMutedOne<R extends { id: number }>(
  em: EntityManager,
  userId: number | null,
  room: R,
): Promise<R & { muted: boolean }> {
  const member =
    userId === null ? null : await em.findOne(RoomMember, { roomId: room.id, userId }, { fields: ['muted'] });
  return { ...room, muted: member?.muted ?? false };
}
