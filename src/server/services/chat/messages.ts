import type { EntityManager } from '@mikro-orm/postgresql';
import type { RoomEventType } from '../../../shared/chat.ts';
import { isoTime, query, type Sql, sql } from '../../db/sql.ts';
import { type PublicUser, publicUserColumns, toPublicUser, type UserRow } from '../users.ts';

export interface MessageView {
  id: string;
  roomId: number;
  seq: number;
  clientId: string;
  sender: PublicUser;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  /** Who deleted it: its sender, or a moderator (the client then says "removed by a moderator"). */
  deletedBy: 'sender' | 'moderator' | null;
}

/** A durable room event: what `chat.onRoomEvent` yields, tracked by its position. */
export interface RoomEventView {
  position: number;
  type: RoomEventType;
  message: MessageView;
}

export interface MessageRow extends UserRow {
  message_id: string;
  room_id: number;
  seq: string;
  client_id: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  deleted_by: 'sender' | 'moderator' | null;
}

export function toMessage(row: MessageRow): MessageView {
  return {
    id: String(row.message_id),
    roomId: row.room_id,
    seq: Number(row.seq),
    clientId: row.client_id,
    sender: toPublicUser(row),
    // A deleted message keeps its place in the log; its words are gone.
    body: row.deleted_at === null ? row.body : '',
    createdAt: isoTime(row.created_at)!,
    editedAt: isoTime(row.edited_at),
    deletedAt: isoTime(row.deleted_at),
    deletedBy: row.deleted_by,
  };
}

export const messageColumns = sql`m.id as message_id, m.room_id, m.seq, m.client_id, m.body, m.created_at,
  m.edited_at, m.deleted_at, m.deleted_by, ${publicUserColumns}`;

export async function selectMessages(em: EntityManager, where: Sql): Promise<MessageView[]> {
  const rows = await query<MessageRow>(
    em,
    sql`select ${messageColumns} from messages m join users u on u.id = m.sender_id where ${where}`,
  );
  return rows.map(toMessage);
}

/** Newest first, `limit` per page; the cursor is the seq to pass as `beforeSeq` for the next older page. */
export async function history(em: EntityManager, roomId: number, beforeSeq: number | null, limit: number) {
  const rows = await selectMessages(
    em,
    sql`m.room_id = ${roomId} ${beforeSeq ? sql`and m.seq < ${beforeSeq}` : sql``}
      order by m.seq desc limit ${limit + 1}`,
  );
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.seq ?? null) : null };
}

interface EventRow extends MessageRow {
  position: string;
  type: RoomEventType;
}

/** The room's events after `after` (and before `before`, if given), in order, with each message as it is now. */
export async function eventsBetween(
  em: EntityManager,
  roomId: number,
  after: number,
  before: number | null,
  limit: number,
): Promise<RoomEventView[]> {
  const rows = await query<EventRow>(
    em,
    sql`select e.position, e.type, ${messageColumns}
      from room_events e join messages m on m.id = e.message_id join users u on u.id = m.sender_id
      where e.room_id = ${roomId} and e.position > ${after} ${before === null ? sql`` : sql`and e.position < ${before}`}
      order by e.position limit ${limit}`,
  );
  return rows.map((row) => ({ position: Number(row.position), type: row.type, message: toMessage(row) }));
}
