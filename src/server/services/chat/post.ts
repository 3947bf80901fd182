import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { RoomEventType } from '../../../shared/chat.ts';
import { Report, RoomEvent } from '../../db/entities/index.ts';
import { type AppendedMessage, type MemberRead, takeNextPosition } from '../../db/statements/chat.ts';
import { dropFromUnread } from '../../db/statements/read-positions.ts';
import type { Deps } from '../../deps.ts';
import { type MessageView, messageViewOf, type RoomEventView } from '../../views/chat.ts';
import { audit } from '../audit.ts';
import type { UserEvent } from '../notifications.ts';
import { userChannel } from '../session-events.ts';
import type { Actor } from '../users.ts';
import { publishRoomEvent } from './events.ts';
import { appendGrouped } from './group-commit.ts';
import { appendWithImages, forgetImagesOf } from './images.ts';
import {
  announceEditedMentions,
  announceMentionsGone,
  appendMentioning,
  rementionInEdit,
} from './mentions.ts';
import { findMessage, type LoadedMessage, loadMessage, viewsOf } from './messages.ts';
import { refuseReply } from './replies.ts';
import { authorizeWrite, loadRoom, type RoomAccess, type Writer } from './rooms.ts';

/**
 * Takes the room's next position, applies the change to the message and logs the event, all in one
 * transaction; the room row's lock orders concurrent writers, so positions are dense and commit in order. The
 * message is read again under that lock, so a deleted message is never edited or deleted again. Publishes after
 * the commit.
 */
export async function appendEvent(
  deps: Deps,
  em: EntityManager,
  room: RoomAccess,
  type: RoomEventType,
  messageId: string,
  change: (tx: EntityManager, message: LoadedMessage) => Promise<void> | void,
): Promise<RoomEventView> {
  const event = await em.transactional(async (tx) => {
    const position = await takeNextPosition(tx, room.id);
    // Forget what was read before the lock (the transaction's fork starts with a copy of it): the message and
    // its sender are read again, in one joined query.
    tx.clear();
    const message = await loadMessage(tx, { id: messageId });
    if (!message || message.deletedAt) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'That message was deleted.' });
    }
    await change(tx, message);
    tx.create(RoomEvent, { roomId: room.id, position, type, message: messageId });
    await tx.flush();
    const [view] = await viewsOf(tx, [message]);
    if (!view) throw new Error(`Message ${messageId} vanished while it changed`);
    return { position, type, message: view };
  });
  await publishRoomEvent(deps, room.id, event);
  const members = [room.userLow, room.userHigh].flatMap((id) =>
    id === null || id === undefined ? [] : [id],
  );
  await announceRoomChange(deps, event, members);
  return event;
}

/** Sends once: a retry with the same clientId returns the message stored the first time, on any instance. */
export async function send(
  deps: Deps,
  em: EntityManager,
  me: Actor & Writer,
  input: {
    roomId: number;
    clientId: string;
    body: string;
    replyToId?: string | null | undefined;
    attachmentIds?: string[] | undefined;
  },
): Promise<MessageView> {
  const sent = { sender: me.id, clientId: input.clientId };
  let appended: AppendedMessage | null;
  try {
    const grouped = appendGrouped(deps.roomAppends);
    appended = await appendMentioning(deps, em, { senderId: me.id, ...input }, (db, one) =>
      appendWithImages(db, one, grouped),
    );
  } catch (error) {
    // The clientId was used before (a retry, perhaps racing on another instance): answer with that message.
    if (error instanceof UniqueConstraintViolationException) {
      const earlier = await findMessage(em.fork(), sent);
      if (earlier) return sameRoom(earlier, input.roomId);
    }
    throw error;
  }
  if (!appended) {
    // Refused. A retry of a message stored before still gets it back; anything else learns why (this throws).
    const earlier = await findMessage(em, sent);
    if (earlier) return sameRoom(earlier, input.roomId);
    await authorizeWrite(em, input.roomId, me);
    if (input.replyToId) await refuseReply(em, input.roomId, input.replyToId, me.id);
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You cannot send messages right now.' });
  }
  const message = messageViewOf(appended.message);
  const event: RoomEventView = { position: message.seq, type: 'message.created', message };
  // Sending reads the room up to the new message, so the sender's other tabs clear their badge too. Nothing was
  // unread after it when it was stored (the room's lock made it the last); later messages reach those tabs as
  // events of their own.
  const sender: MemberRead = { userId: me.id, readSeq: message.seq, unread: 0 };
  await publishRoomEvent(deps, input.roomId, event);
  if (appended.kind === 'private') {
    // Each member's room.changed carries their read position: the sender's is this one.
    await announceRoomChange(deps, event, [sender, ...appended.others]);
  } else {
    const read: UserEvent = {
      type: 'room.read',
      roomId: input.roomId,
      unread: 0,
      mentions: 0,
      readSeq: message.seq,
    };
    void deps.bus
      .publish(userChannel(me.id), read)
      .catch((cause) => deps.log.warn('Could not announce a read position', { roomId: input.roomId, cause }));
  }
  return message;
}

/**
 * Both members' sidebars (preview, unread) change, in every tab, which patch them from the event itself; the
 * public room's readers follow its stream instead, so it names no members. A member given as a read position
 * gets their unread count with the event.
 */
async function announceRoomChange(
  deps: Deps,
  event: RoomEventView,
  members: readonly (number | MemberRead)[],
) {
  const roomId = event.message.roomId;
  await Promise.all(
    members.map((member) => {
      const changed: UserEvent =
        typeof member === 'number'
          ? { type: 'room.changed', roomId, event }
          : { type: 'room.changed', roomId, event, unread: member.unread, readSeq: member.readSeq };
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
  const message = await findMessage(em, { id: messageId });
  if (!message) throw new TRPCError({ code: 'NOT_FOUND', message: 'That message does not exist.' });
  if (message.sender.id !== me.id && !(allowAdmin && me.role === 'admin')) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only change your own messages.' });
  }
  if (message.deletedAt) throw new TRPCError({ code: 'NOT_FOUND', message: 'That message was deleted.' });
  return message;
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
  let mentions: Awaited<ReturnType<typeof rementionInEdit>> = null;
  const event = await appendEvent(deps, em, room, 'message.edited', messageId, async (tx, stored) => {
    stored.body = body;
    stored.editedAt = new Date();
    mentions = await rementionInEdit(tx, message, body);
  });
  if (mentions) announceEditedMentions(deps, event.message, mentions);
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
  const event = await appendEvent(deps, em, room, 'message.deleted', messageId, async (tx, stored) => {
    const body = stored.body;
    stored.body = '';
    stored.deletedAt = new Date();
    stored.deletedBy = byModerator ? 'moderator' : 'sender';
    await dropFromUnread(tx, { roomId: stored.roomId, seq: stored.seq, senderId: stored.sender.id });
    if (!byModerator) return;
    await audit(tx, {
      actorId: me.id,
      action: 'message.delete',
      targetUserId: message.sender.id,
      targetMessageId: messageId,
      reason,
      details: { body, roomId: message.roomId },
    });
    await tx.nativeUpdate(
      Report,
      { messageId, status: 'open' },
      { status: 'resolved', action: 'delete', resolvedBy: me.id, resolvedAt: new Date() },
    );
  });
  announceMentionsGone(deps, message);
  forgetImagesOf(deps, messageId);
  return event.message;
}
