import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { CurrentUser } from '../../auth/current-users.ts';
import { query, queryOne, sql } from '../../db/sql.ts';
import { areFriends } from '../friends.ts';
import { type PublicUser, publicUserColumns, toPublicUser, type UserRow } from '../users.ts';
import { type MessageRow, type MessageView, messageColumns, toMessage } from './messages.ts';

export interface RoomRow {
  id: number;
  kind: 'public' | 'private';
  name: string;
  user_low: number | null;
  user_high: number | null;
  position: string;
}

export interface RoomView {
  id: number;
  kind: 'public' | 'private';
  name: string;
  other?: PublicUser;
  lastMessage: MessageView | null;
  unread: number;
  /** The reader's position: messages with a greater seq are new to them. */
  readSeq: number;
  /** A private room whose two members are no longer friends: readable, closed to new messages. */
  formerFriend?: true;
}

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'That room does not exist.' });

export async function loadRoom(em: EntityManager, roomId: number): Promise<RoomRow> {
  const room = await queryOne<RoomRow>(em, sql`select * from rooms where id = ${roomId}`);
  if (!room) throw notFound();
  return room;
}

export const isMember = (room: RoomRow, userId: number | null) =>
  room.kind === 'public' || (userId !== null && (room.user_low === userId || room.user_high === userId));

/** Reading: anyone may read the public room, signed in or not; a private room only its two members. */
export async function authorizeRead(
  em: EntityManager,
  roomId: number,
  userId: number | null,
): Promise<RoomRow> {
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
export async function authorizeWrite(em: EntityManager, roomId: number, writer: Writer): Promise<RoomRow> {
  const room = await authorizeRead(em, roomId, writer.id);
  assertNotMuted(writer);
  if (room.kind === 'private') {
    const other = room.user_low === writer.id ? room.user_high! : room.user_low!;
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
    });
  }
}

export async function publicRoomId(em: EntityManager): Promise<number> {
  const row = await queryOne<{ id: number }>(em, sql`select id from rooms where kind = 'public'`);
  return row!.id;
}

/** Someone who registers joins the public room at its current position: they start with nothing unread. */
export async function joinPublicRoom(em: EntityManager, userId: number): Promise<void> {
  await ensureMember(em, await publicRoomId(em), userId);
}

/** A member row starts at the room's current position: someone new has nothing unread. */
async function ensureMember(em: EntityManager, roomId: number, userId: number): Promise<void> {
  await query(
    em,
    sql`insert into room_members (room_id, user_id, read_seq)
      select ${roomId}, ${userId}, position from rooms where id = ${roomId}
      on conflict do nothing`,
  );
}

interface RoomListRow extends RoomRow {
  unread: string;
  last: MessageRow | null;
  read_seq: string | null;
  other_id: number | null;
  other_username: string | null;
  other_display_name: string | null;
  other_avatar_version: number | null;
  friends: boolean | null;
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
  const viewer = userId ?? 0;
  const rows = await query<RoomListRow>(
    em,
    sql`select r.*, mem.read_seq,
        o.id as other_id, o.username as other_username, o.display_name as other_display_name,
        o.avatar_version as other_avatar_version,
        exists (select 1 from friendships f where f.user_low = r.user_low and f.user_high = r.user_high) as friends,
        (select row_to_json(last) from (
          select ${messageColumns} from messages m join users u on u.id = m.sender_id
          where m.room_id = r.id and m.deleted_at is null order by m.seq desc limit 1
        ) last) as last,
        (select count(*) from messages x where x.room_id = r.id and x.seq > coalesce(mem.read_seq, r.position)
          and x.deleted_at is null and x.sender_id <> ${viewer}) as unread
      from rooms r
      left join room_members mem on mem.room_id = r.id and mem.user_id = ${viewer}
      left join users o on r.kind = 'private' and o.id = case when r.user_low = ${viewer} then r.user_high else r.user_low end
      where (r.kind = 'public' or (${viewer} in (r.user_low, r.user_high)
        -- Someone who blocked the viewer never appears to them, here as in search.
        and not exists (select 1 from blocks b where b.blocker_id = o.id and b.blocked_id = ${viewer})))
        ${only === undefined ? sql`` : sql`and r.id = ${only}`}
      order by r.last_activity_at desc, r.id`,
  );
  return rows.map((row) => toRoomView(row));
}

function toRoomView(row: RoomListRow): RoomView {
  const other: UserRow | null =
    row.other_id === null
      ? null
      : {
          id: row.other_id,
          username: row.other_username!,
          display_name: row.other_display_name!,
          avatar_version: row.other_avatar_version,
        };
  return {
    id: row.id,
    kind: row.kind,
    name: other ? other.display_name : row.name,
    ...(other ? { other: toPublicUser(other) } : {}),
    lastMessage: row.last ? toMessage(row.last) : null,
    unread: Number(row.unread),
    readSeq: Number(row.read_seq ?? row.position),
    ...(row.kind === 'private' && !row.friends ? { formerFriend: true as const } : {}),
  };
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
  const exists = await queryOne(em, sql`select 1 from users where id = ${userId}`);
  if (!exists) throw new TRPCError({ code: 'NOT_FOUND', message: 'That user does not exist.' });
  if (!(await areFriends(em, me, userId))) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only message people who are your friends.' });
  }
  const [low, high] = [Math.min(me, userId), Math.max(me, userId)];
  await query(
    em,
    sql`insert into rooms (kind, name, user_low, user_high) values ('private', 'Direct message', ${low}, ${high})
      on conflict (user_low, user_high) where kind = 'private' do nothing`,
  );
  const room = await queryOne<{ id: number }>(
    em,
    sql`select id from rooms where kind = 'private' and user_low = ${low} and user_high = ${high}`,
  );
  await ensureMember(em, room!.id, low);
  await ensureMember(em, room!.id, high);
  return roomView(em, room!.id, me);
}

/**
 * Moves the reader's position forward only, never past the room's end, and returns the new unread count: one
 * statement (it is called by every reader of a busy room). Someone who may not read the room changes nothing,
 * and learns why afterwards.
 */
export async function markRead(em: EntityManager, roomId: number, userId: number, seq: number) {
  const row = await queryOne<{ read_seq: string; unread: string }>(
    em,
    sql`with room as (
        select id, position from rooms
        where id = ${roomId} and (kind = 'public' or ${userId} in (user_low, user_high))),
      moved as (
        -- Someone not yet a member joins at the room's end (nothing unread), as on registration.
        insert into room_members (room_id, user_id, read_seq)
        select id, ${userId}, position from room
        on conflict (room_id, user_id) do update
          set read_seq = greatest(room_members.read_seq, least(${seq}, (select position from room)))
        returning read_seq)
      select read_seq, (select count(*) from messages m where m.room_id = ${roomId} and m.seq > moved.read_seq
        and m.deleted_at is null and m.sender_id <> ${userId}) as unread
      from moved`,
  );
  if (!row) {
    await authorizeRead(em, roomId, userId);
    throw notFound();
  }
  return { roomId, unread: Number(row.unread), readSeq: Number(row.read_seq) };
}

export { publicUserColumns };
