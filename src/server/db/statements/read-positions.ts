import type { EntityManager } from '@mikro-orm/postgresql';
import type { RoomMember } from '../entities/index.ts';
import { unreadMentionsCount } from './mentions.ts';
import { queryPrepared, sql } from './sql.ts';

/**
 * The read position's statements: moving readers forward, and the locks that keep a private room's kept unread
 * count (`room_members.unread`) exact while it moves. Each maps its raw row to entity types here, once.
 */

/** A reader asking to have read a room up to `seq`. */
export interface ReadMove {
  roomId: number;
  userId: number;
  seq: number;
}

/** Where a reader now stands in a room, and how many messages of others (and mentions of them) are unread after it. */
export interface MovedRead {
  readSeq: RoomMember['readSeq'];
  unread: number;
  mentions: number;
  /** Notices of mentions (the bell's) that this move read: those of messages up to the new position. */
  noticesRead: number;
}

interface MovedRow {
  room_id: number;
  user_id: number;
  read_seq: string | null;
  unread: string | null;
  mentions: string | null;
  notices_read: string | null;
  /** Not moved: a private room changed between the statement's start and its lock (see `moveOnce`). */
  stale: boolean;
}

/**
 * Moves each reader's position forward only, never past the room's end, and gives their unread count after it:
 * one statement for many readers (every reader of a busy room marks it read every few seconds). A reader not yet a
 * member joins at the room's end, as on registration. Answers in the order asked; null where the room does not
 * exist or the reader may not read it. The same reader twice in one call moves once, to the furthest of the two.
 * The rare move that met a private room changing under it is moved again in a transaction that locks the room
 * before it reads anything.
 */
export async function moveReadPositions(
  em: EntityManager,
  moves: readonly ReadMove[],
): Promise<(MovedRead | null)[]> {
  if (moves.length === 0) return [];
  const rows = await moveOnce(em, moves);
  const stale = rows
    .filter((row) => row.stale)
    .map((row) => ({ roomId: row.room_id, userId: row.user_id, seq: seqAsked(moves, row) }));
  if (stale.length > 0) rows.push(...(await moveHoldingRooms(em, stale)));
  const byReader = new Map(
    rows.flatMap((row) => (row.stale ? [] : [[`${row.room_id}:${row.user_id}`, movedOfRow(row)] as const])),
  );
  return moves.map((m) => byReader.get(`${m.roomId}:${m.userId}`) ?? null);
}

/** The furthest position this reader asked for in this room (the statement moves once per reader and room). */
const seqAsked = (moves: readonly ReadMove[], row: MovedRow) =>
  Math.max(...moves.filter((m) => m.roomId === row.room_id && m.userId === row.user_id).map((m) => m.seq));

function movedOfRow(row: MovedRow): MovedRead {
  return {
    readSeq: Number(row.read_seq),
    unread: Number(row.unread),
    mentions: Number(row.mentions),
    noticesRead: Number(row.notices_read),
  };
}

/** The moves again, in a transaction whose first statement locks their private rooms: none can be stale now. */
function moveHoldingRooms(em: EntityManager, moves: readonly ReadMove[]): Promise<MovedRow[]> {
  return em.transactional(async (tx) => {
    await holdPrivateRooms(tx, moves);
    return moveOnce(tx, moves);
  });
}

/**
 * Locks these moves' private rooms (shared: readers do not wait for each other) until the transaction ends: no send
 * or deletion there commits meanwhile, and the next statement sees every one that committed before.
 */
async function holdPrivateRooms(tx: EntityManager, moves: readonly ReadMove[]): Promise<void> {
  await queryPrepared(
    tx,
    sql`select 1 from rooms where id = any(${moves.map((m) => m.roomId)}::int[]) and kind = 'private'
      order by id for share`,
  );
}

/**
 * The move itself. A private room's unread count is kept on the membership (the append increments it, a deletion
 * decrements it), so here it is set from a recount of what is left after the new position (little, as readers
 * read to the end) — which must see every send and deletion up to the moment the member's row changes. The room
 * is locked (shared) first, so none commits while this runs; one that committed after this statement began and
 * before the lock (the room's position moved) is invisible to its recount: that move is answered `stale` and not
 * made. The public room keeps no count (a message would update every member's row): its unread is counted here.
 */
function moveOnce(em: EntityManager, moves: readonly ReadMove[]): Promise<MovedRow[]> {
  return queryPrepared<MovedRow>(
    em,
    sql`with wanted as (
        select distinct on (room_id, user_id) room_id, user_id, seq
        -- Columns of arrays: one statement text (and one prepared plan) for every batch size, as the append.
        from unnest(${moves.map((m) => m.roomId)}::int[], ${moves.map((m) => m.userId)}::int[],
          ${moves.map((m) => m.seq)}::bigint[]) as w(room_id, user_id, seq)
        order by room_id, user_id, seq desc),
      held as materialized (
        select r.id, r.position from rooms r where r.id in (select room_id from wanted) and r.kind = 'private'
        order by r.id for share),
      readable as (
        select w.room_id, w.user_id, least(w.seq, r.position) as seq, r.position, r.kind,
          h.position <> r.position as stale,
          exists (select 1 from room_members rm where rm.room_id = w.room_id and rm.user_id = w.user_id) as member
        from wanted w join rooms r on r.id = w.room_id left join held h on h.id = w.room_id
        where r.kind = 'public' or w.user_id in (r.user_low, r.user_high)),
      moved as (
        -- A member moves to \`seq\` (excluded.read_seq), with the count after it; someone new joins at the end, with
        -- nothing unread (a row made meanwhile by a racing join moves to the end too: what joining then gives).
        -- In one order, so that two batches lock the rows they share in the same order.
        insert into room_members (room_id, user_id, read_seq, unread)
        select room_id, user_id, case when member then seq else position end,
          case when member and kind = 'private' then (select count(*) from messages m where m.room_id = x.room_id
            and m.seq > x.seq and m.deleted_at is null and m.sender_id <> x.user_id) else 0 end
        from readable x where stale is not true order by room_id, user_id
        on conflict (room_id, user_id) do update set
          read_seq = greatest(room_members.read_seq, excluded.read_seq),
          unread = case when excluded.read_seq > room_members.read_seq then excluded.unread
            else room_members.unread end
        returning room_id, user_id, read_seq, unread),
      notices as (
        -- Reading a message reads the bell's notice of its mention: the badge and the tab's title stop counting it.
        -- A reader without unread notices costs one look in their partial index (notifications_unread).
        update notifications n set read_at = now()
        from moved mv, messages m
        where n.user_id = mv.user_id and n.read_at is null and n.kind = 'message.mention'
          and m.id = n.message_id and m.room_id = mv.room_id and m.seq <= mv.read_seq
        returning n.user_id, mv.room_id)
      select moved.room_id, moved.user_id, moved.read_seq,
        case when r.kind = 'private' then moved.unread else (select count(*) from messages m
          where m.room_id = moved.room_id and m.seq > moved.read_seq and m.deleted_at is null
            and m.sender_id <> moved.user_id) end as unread,
        ${unreadMentionsCount(sql`moved.room_id`, sql`moved.read_seq`, sql`moved.user_id`)} as mentions,
        (select count(*) from notices x where x.user_id = moved.user_id and x.room_id = moved.room_id)
          as notices_read,
        false as stale
      from moved join rooms r on r.id = moved.room_id
      union all
      select room_id, user_id, null, null, null, null, true from readable where stale`,
  );
}

/**
 * A deleted message is no longer unread for a private room's member who had not read it (never its sender): their
 * kept count loses it. In the deletion's transaction, after the room's position was taken (its lock held), so no
 * read move recounts the room meanwhile.
 */
export async function dropFromUnread(
  tx: EntityManager,
  message: { roomId: number; seq: number; senderId: number },
): Promise<void> {
  await queryPrepared(
    tx,
    sql`update room_members rm set unread = rm.unread - 1 from rooms r
      where r.id = rm.room_id and r.kind = 'private' and rm.room_id = ${message.roomId}
        and rm.user_id <> ${message.senderId} and rm.read_seq < ${message.seq}`,
  );
}
