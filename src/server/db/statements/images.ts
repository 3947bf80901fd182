import type { EntityManager } from '@mikro-orm/postgresql';
import type { Attachment, Room } from '../entities/index.ts';
import { list, query, queryOne, sql } from './sql.ts';

/** What a message shows of each of its images. */
export type StoredAttachment = Pick<
  Attachment,
  'id' | 'width' | 'height' | 'thumbWidth' | 'thumbHeight' | 'alt'
>;

/**
 * A message's images as one JSON array, in their order (`m` is messages): a correlated lookup by the
 * `attachments_message` index, so history, catch-up and the send stay one statement each. Null when none.
 */
export const attachmentsColumn = sql`(select json_agg(json_build_object('id', a.id, 'width', a.width,
    'height', a.height, 'thumbWidth', a.thumb_width, 'thumbHeight', a.thumb_height, 'alt', a.alt)
    order by a.position) from attachments a where a.message_id = m.id) as attachments`;

interface AttachmentRow {
  id: string;
  width: number;
  height: number;
  thumb_width: number;
  thumb_height: number;
  alt: string;
}

/**
 * Gives the uploader's unsent images in this room to the message, in the order of `ids`, and answers with those
 * it took: an id that is someone else's, another room's or already sent is left alone (the caller then refuses the
 * whole send). A concurrent send of the same image waits for this one's row locks, then finds it sent.
 */
export async function claimAttachments(
  em: EntityManager,
  claim: { messageId: string; roomId: number; uploaderId: number; ids: readonly string[] },
): Promise<StoredAttachment[]> {
  const ids = list(claim.ids);
  const rows = await query<AttachmentRow>(
    em,
    sql`update attachments a set message_id = ${claim.messageId},
        position = array_position(array[${ids}]::text[], a.id::text)
      where a.id in (${ids}) and a.uploader_id = ${claim.uploaderId} and a.room_id = ${claim.roomId}
        and a.message_id is null
      returning a.id, a.width, a.height, a.thumb_width, a.thumb_height, a.alt, a.position`,
  );
  const order = new Map(claim.ids.map((id, i) => [id, i]));
  return rows
    .map((row) => ({
      id: row.id,
      width: row.width,
      height: row.height,
      thumbWidth: row.thumb_width,
      thumbHeight: row.thumb_height,
      alt: row.alt,
    }))
    .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}

/** Who may see an image: its room's kind and members, its uploader, and whether its message is still there. */
export interface ImageAccess {
  roomKind: Room['kind'];
  members: number[];
  uploaderId: number;
  /** Sent in a message; an unsent image is its uploader's alone. */
  sent: boolean;
  /** Its message was deleted: nobody sees it any more. */
  deleted: boolean;
}

export async function imageAccess(em: EntityManager, id: string): Promise<ImageAccess | null> {
  const row = await queryOne<{
    kind: Room['kind'];
    user_low: number | null;
    user_high: number | null;
    uploader_id: number;
    sent: boolean;
    deleted: boolean;
  }>(
    em,
    sql`select r.kind, r.user_low, r.user_high, a.uploader_id,
        m.id is not null as sent, m.deleted_at is not null as deleted
      from attachments a join rooms r on r.id = a.room_id left join messages m on m.id = a.message_id
      where a.id = ${id}`,
  );
  if (!row) return null;
  return {
    roomKind: row.kind,
    members: [row.user_low, row.user_high].filter((member) => member !== null),
    uploaderId: row.uploader_id,
    sent: row.sent,
    deleted: row.deleted,
  };
}

/** Deletes the images of a (deleted) message, answering with their ids (to remove their files). */
export async function removeImagesOf(em: EntityManager, messageId: string): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    sql`delete from attachments where message_id = ${messageId} returning id`,
  );
  return rows.map((row) => row.id);
}

/** Deletes the images uploaded before `before` and never sent, answering with their ids (to remove their files). */
export async function removeUnsent(em: EntityManager, before: Date, limit: number): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    sql`delete from attachments where id in (select id from attachments
        where message_id is null and created_at < ${before} order by created_at limit ${limit})
      returning id`,
  );
  return rows.map((row) => row.id);
}
