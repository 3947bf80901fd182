import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { RoomEventType } from '../../../shared/chat.ts';
import { query, queryOne, sql } from '../../db/sql.ts';
import type { Deps } from '../../deps.ts';
import { audit } from '../audit.ts';
import type { UserEvent } from '../notifications.ts';
import { userChannel } from '../session-events.ts';
import type { Actor } from '../users.ts';
import { publishRoomEvent } from './events.ts';
import {
  type MessageRow,
  type MessageView,
  messageColumns,
  type RoomEventView,
  selectMessages,
  toMessage,
} from './messages.ts';
import { authorizeWrite, loadRoom, type RoomRow, type Writer } from './rooms.ts';

async function messageByClientId(em: EntityManager, senderId: number, clientId: string) {
  const [message] = await selectMessages(em, sql`m.sender_id = ${senderId} and m.client_id = ${clientId}`);
  return message;
}

/**
 * Takes the room's next position, applies the change and logs the event, all in one transaction; the room row's
 * lock orders concurrent writers, so positions are dense and commit in order. Publishes after the commit.
 */
async function appendEvent(
  deps: Deps,
  em: EntityManager,
  room: RoomRow,
  type: RoomEventType,
  change: (tx: EntityManager, position: number) => Promise<string>,
): Promise<RoomEventView> {
  const event = await em.transactional(async (tx) => {
    const row = await queryOne<{ position: string }>(
      tx,
      sql`update rooms set position = position + 1, last_activity_at = now() where id = ${room.id} returning position`,
    );
    const position = Number(row!.position);
    const messageId = await change(tx, position);
    await tx.execute('insert into room_events (room_id, position, type, message_id) values (?, ?, ?, ?)', [
      room.id,
      position,
      type,
      messageId,
    ]);
    const [message] = await selectMessages(tx, sql`m.id = ${messageId}`);
    return { position, type, message: message! };
  });
  await publishRoomEvent(deps, room.id, event);
  await announceRoomChange(deps, event, room.kind, [room.user_low!, room.user_high!]);
  return event;
}

/**
 * The whole acknowledged send in one statement, so one round trip: it takes the room's next position under the
 * room row's lock, stores the message and its event, and moves the sender's read position. The row is updated
 * only if the sender may write there now (not muted or banned; in a private room, a member still friends with
 * the other), so nothing is stored for a refused send, and the reason is worked out afterwards, off the common
 * path. Null when refused; a unique violation when the clientId was used before.
 */
/** Where a member of a private room stands after a new message: their read position and unread count. */
interface MemberRead {
  userId: number;
  readSeq: number;
  unread: number;
}

async function appendMessage(
  em: EntityManager,
  roomId: number,
  senderId: number,
  clientId: string,
  body: string,
): Promise<{ message: MessageView; kind: RoomRow['kind']; members: MemberRead[] } | null> {
  const rows = await query<MessageRow & { room_kind: RoomRow['kind']; members: MemberRead[] | null }>(
    em,
    sql`with room as (
        update rooms r set position = r.position + 1, last_activity_at = now()
        where r.id = ${roomId}
          and not exists (select 1 from users s where s.id = ${senderId}
            and (s.muted_until > now() or s.banned_until > now()))
          and (r.kind = 'public' or (${senderId} in (r.user_low, r.user_high) and exists (
            select 1 from friendships f where f.user_low = r.user_low and f.user_high = r.user_high)))
        returning r.id, r.kind, r.position, r.user_low, r.user_high),
      m as (
        insert into messages (room_id, seq, sender_id, client_id, body)
        select id, position, ${senderId}, ${clientId}, ${body} from room
        returning *),
      event as (
        insert into room_events (room_id, position, type, message_id)
        select room_id, seq, 'message.created', id from m),
      seen as (
        update room_members set read_seq = greatest(read_seq, (select seq from m))
        where room_id = ${roomId} and user_id = ${senderId}),
      -- In a private room, where the other member now stands (the new message is not visible to this count, and
      -- is unread for them: hence + 1), so each member's sidebar can take its count from the event.
      other as (
        select rm.user_id, rm.read_seq, 1 + (select count(*) from messages x where x.room_id = room.id
          and x.seq > rm.read_seq and x.deleted_at is null and x.sender_id <> rm.user_id) as unread
        from room_members rm, room
        where room.kind = 'private' and rm.room_id = room.id and rm.user_id <> ${senderId})
      select ${messageColumns}, room.kind as room_kind,
        (select json_agg(json_build_object('userId', o.user_id, 'readSeq', o.read_seq, 'unread', o.unread))
          from other o) as members
      from m join users u on u.id = m.sender_id, room`,
  );
  const row = rows[0];
  if (!row) return null;
  const message = toMessage(row);
  // The sender has read up to their own message, and nothing after it exists yet.
  const sender: MemberRead = { userId: senderId, readSeq: message.seq, unread: 0 };
  const members = row.room_kind === 'private' ? [sender, ...(row.members ?? [])] : [];
  return { message, kind: row.room_kind, members };
}

/** Sends once: a retry with the same clientId returns the message stored the first time, on any instance. */
export async function send(
  deps: Deps,
  em: EntityManager,
  me: Actor & Writer,
  input: { roomId: number; clientId: string; body: string },
): Promise<MessageView> {
  let appended: Awaited<ReturnType<typeof appendMessage>>;
  try {
    appended = await appendMessage(em, input.roomId, me.id, input.clientId, input.body);
  } catch (error) {
    // The clientId was used before (a retry, perhaps racing on another instance): answer with that message.
    if (error instanceof UniqueConstraintViolationException) {
      const earlier = await messageByClientId(em.fork(), me.id, input.clientId);
      if (earlier) return sameRoom(earlier, input.roomId);
    }
    throw error;
  }
  if (!appended) {
    // Refused. A retry of a message stored before still gets it back; anything else learns why (this throws).
    const earlier = await messageByClientId(em, me.id, input.clientId);
    if (earlier) return sameRoom(earlier, input.roomId);
    await authorizeWrite(em, input.roomId, me);
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You cannot send messages right now.' });
  }
  const { message, kind, members } = appended;
  const event: RoomEventView = { position: message.seq, type: 'message.created', message };
  await publishRoomEvent(deps, input.roomId, event);
  await announceRoomChange(deps, event, kind, members);
  // Sending reads the room up to the new message: the sender's other tabs clear their badge too. Nobody waits
  // for that count.
  void announceOwnRead(deps, input.roomId, me.id, message.seq).catch((cause) =>
    deps.log.warn('Could not announce a read position', { roomId: input.roomId, cause }),
  );
  return message;
}

async function announceOwnRead(deps: Deps, roomId: number, userId: number, position: number): Promise<void> {
  const newer = await queryOne<{ count: string }>(
    deps.orm.em.fork(),
    sql`select count(*) from messages where room_id = ${roomId} and seq > ${position}
      and deleted_at is null and sender_id <> ${userId}`,
  );
  const read: UserEvent = { type: 'room.read', roomId, unread: Number(newer?.count ?? 0), readSeq: position };
  await deps.bus.publish(userChannel(userId), read);
}

/**
 * Both members' sidebars (preview, unread) change, in every tab, which patch them from the event itself; the
 * public room's readers follow its stream instead.
 */
async function announceRoomChange(
  deps: Deps,
  event: RoomEventView,
  kind: RoomRow['kind'],
  members: readonly (number | MemberRead)[],
) {
  if (kind !== 'private') return;
  const roomId = event.message.roomId;
  await Promise.all(
    members.map((member) => {
      const changed: UserEvent =
        typeof member === 'number'
          ? { type: 'room.changed', roomId, event }
          : {
              type: 'room.changed',
              roomId,
              event,
              unread: Number(member.unread),
              readSeq: Number(member.readSeq),
            };
      return deps.bus.publish(userChannel(typeof member === 'number' ? member : member.userId), changed);
    }),
  );
}

function sameRoom(message: MessageView, roomId: number): MessageView {
  if (message.roomId !== roomId) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: 'That clientId was already used for a message in another room.',
    });
  }
  return message;
}

async function ownMessage(
  em: EntityManager,
  messageId: string,
  me: Actor & { role?: string },
  allowAdmin: boolean,
) {
  const [message] = await selectMessages(em, sql`m.id = ${messageId}`);
  if (!message) throw new TRPCError({ code: 'NOT_FOUND', message: 'That message does not exist.' });
  if (message.sender.id !== me.id && !(allowAdmin && me.role === 'admin')) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only change your own messages.' });
  }
  if (message.deletedAt) throw new TRPCError({ code: 'NOT_FOUND', message: 'That message was deleted.' });
  return message;
}

/**
 * The message's words as they are now, read inside the event's transaction: the room row's lock, taken first,
 * orders this after any edit or deletion racing it, so a deleted message is never edited or deleted again.
 */
async function currentBody(tx: EntityManager, messageId: string): Promise<string> {
  const row = await queryOne<{ body: string; deleted_at: string | null }>(
    tx,
    sql`select body, deleted_at from messages where id = ${messageId}`,
  );
  if (!row || row.deleted_at !== null) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'That message was deleted.' });
  }
  return row.body;
}

export async function edit(
  deps: Deps,
  em: EntityManager,
  me: Actor & Writer,
  messageId: string,
  body: string,
) {
  const message = await ownMessage(em, messageId, me, false);
  const room = await authorizeWrite(em, message.roomId, me);
  if (message.body === body) return message;
  const event = await appendEvent(deps, em, room, 'message.edited', async (tx) => {
    await currentBody(tx, messageId);
    await tx.execute('update messages set body = ?, edited_at = now() where id = ?', [body, messageId]);
    return messageId;
  });
  return event.message;
}

/**
 * Deletes a message: your own, or any as an admin (a moderator deletion, recorded in the audit log with the
 * words, which leave the message itself). The place in the log stays; the event reaches every open client.
 */
export async function remove(
  deps: Deps,
  em: EntityManager,
  me: Actor & { role: string },
  messageId: string,
  moderation: { asModerator: boolean; reason: string | null } = { asModerator: false, reason: null },
) {
  const message = await ownMessage(em, messageId, me, true);
  const room = await loadRoom(em, message.roomId);
  // An admin removing someone else's message is moderating, whichever procedure they used.
  const byModerator = moderation.asModerator || message.sender.id !== me.id;
  const { reason } = moderation;
  const event = await appendEvent(deps, em, room, 'message.deleted', async (tx) => {
    const body = await currentBody(tx, messageId);
    await tx.execute("update messages set body = '', deleted_at = now(), deleted_by = ? where id = ?", [
      byModerator ? 'moderator' : 'sender',
      messageId,
    ]);
    if (byModerator) {
      await audit(tx, {
        actorId: me.id,
        action: 'message.delete',
        targetUserId: message.sender.id,
        targetMessageId: messageId,
        reason,
        details: { body, roomId: message.roomId },
      });
      await tx.execute(
        "update reports set status = 'resolved', action = 'delete', resolved_by = ?, resolved_at = now() where message_id = ? and status = 'open'",
        [me.id, messageId],
      );
    }
    return messageId;
  });
  return event.message;
}
