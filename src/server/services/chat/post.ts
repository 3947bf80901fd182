import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { RoomEventType } from '../../../shared/chat.ts';
import { queryOne, sql } from '../../db/sql.ts';
import type { Deps } from '../../deps.ts';
import { audit } from '../audit.ts';
import type { UserEvent } from '../notifications.ts';
import { userChannel } from '../session-events.ts';
import type { Actor } from '../users.ts';
import { publishRoomEvent } from './events.ts';
import { type MessageView, type RoomEventView, selectMessages } from './messages.ts';
import { authorizeWrite, loadRoom, type RoomRow } from './rooms.ts';

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
  // Both members' sidebars (preview, unread) change, in every tab; the public room's readers follow its stream.
  if (room.kind === 'private') {
    const changed: UserEvent = { type: 'room.changed', roomId: room.id };
    await Promise.all(
      [room.user_low!, room.user_high!].map((member) => deps.bus.publish(userChannel(member), changed)),
    );
  }
  return event;
}

/** Sends once: a retry with the same clientId returns the message stored the first time, on any instance. */
export async function send(
  deps: Deps,
  em: EntityManager,
  me: Actor,
  input: { roomId: number; clientId: string; body: string },
): Promise<MessageView> {
  const earlier = await messageByClientId(em, me.id, input.clientId);
  if (earlier) return sameRoom(earlier, input.roomId);
  const room = await authorizeWrite(em, input.roomId, me.id);
  try {
    const event = await appendEvent(deps, em, room, 'message.created', async (tx, position) => {
      const row = await queryOne<{ id: string }>(
        tx,
        sql`insert into messages (room_id, seq, sender_id, client_id, body)
          values (${room.id}, ${position}, ${me.id}, ${input.clientId}, ${input.body}) returning id`,
      );
      await tx.execute(
        'update room_members set read_seq = greatest(read_seq, ?) where room_id = ? and user_id = ?',
        [position, room.id, me.id],
      );
      return String(row!.id);
    });
    // Sending reads the room up to the new message: the sender's other tabs clear their badge too.
    const newer = await queryOne<{ count: string }>(
      em,
      sql`select count(*) from messages where room_id = ${room.id} and seq > ${event.position}
        and deleted_at is null and sender_id <> ${me.id}`,
    );
    const unread = Number(newer?.count ?? 0);
    const read: UserEvent = { type: 'room.read', roomId: room.id, unread, readSeq: event.position };
    await deps.bus.publish(userChannel(me.id), read);
    return event.message;
  } catch (error) {
    // The same clientId raced in on another call: that one won, and this one answers with its message.
    if (error instanceof UniqueConstraintViolationException) {
      const winner = await messageByClientId(em.fork(), me.id, input.clientId);
      if (winner) return sameRoom(winner, input.roomId);
    }
    throw error;
  }
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

export async function edit(deps: Deps, em: EntityManager, me: Actor, messageId: string, body: string) {
  const message = await ownMessage(em, messageId, me, false);
  const room = await authorizeWrite(em, message.roomId, me.id);
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
