import type { RoomFeedEvent } from './room-feed.ts';
import type { Room } from './types.ts';

/** Something that changes a room's line in the list: one of its events, or a read position from the server. */
export type RoomChange =
  | ({ kind: 'event'; read?: { unread: number; readSeq: number } } & Pick<RoomFeedEvent, 'type' | 'message'>)
  | { kind: 'read'; roomId: number; unread: number; readSeq: number; mentions?: number };

const roomIdOf = (change: RoomChange) => (change.kind === 'event' ? change.message.roomId : change.roomId);

/**
 * The room list after one change, and whether only the server can say what it is now (a room the list does not
 * have yet, or a deleted preview whose successor it does not know). Applying a change twice changes nothing more,
 * except a deletion's unread count, so changes that arrived while the list was being fetched can be applied to
 * the fetched list.
 */
export function applyRoomChange(
  rooms: readonly Room[],
  change: RoomChange,
  userId: number,
): { rooms: Room[]; refetch: boolean } {
  const roomId = roomIdOf(change);
  const room = rooms.find((candidate) => candidate.id === roomId);
  if (!room) return { rooms: [...rooms], refetch: change.kind === 'event' };
  const next = changed(room, change, userId);
  return {
    rooms: rooms.map((candidate) => (candidate === room ? next : candidate)),
    refetch:
      change.kind === 'event' &&
      change.type === 'message.deleted' &&
      room.lastMessage?.id === change.message.id,
  };
}

/** Whether a new message names this reader (their own never counts). */
const mentionsOf = (message: RoomFeedEvent['message'], userId: number) =>
  message.sender.id !== userId && message.mentions.some((person) => person.id === userId) ? 1 : 0;

function changed(room: Room, change: RoomChange, userId: number): Room {
  if (change.kind === 'read') {
    // Taken unless this tab has already read further. Without a mentions count, reading everything leaves none.
    if (change.readSeq < room.readSeq) return room;
    const mentions = change.mentions ?? (change.unread === 0 ? 0 : Math.min(room.mentions, change.unread));
    return { ...room, unread: change.unread, readSeq: change.readSeq, mentions };
  }
  const { type, message, read } = change;
  const isPreview = room.lastMessage?.id === message.id;
  if (type === 'message.created') {
    const newer = !room.lastMessage || room.lastMessage.seq < message.seq;
    // The server said where this member stands: that holds, unless this tab has read further meanwhile.
    if (read && read.readSeq >= room.readSeq) {
      const mentions = Math.min(read.unread, room.mentions + (newer ? mentionsOf(message, userId) : 0));
      return { ...room, lastMessage: newer ? message : room.lastMessage, ...read, mentions };
    }
    if (!newer) return room;
    const mine = message.sender.id === userId;
    const unseen = message.seq > room.readSeq ? 1 : 0;
    return {
      ...room,
      lastMessage: message,
      // Sending marks the room read up to your own message.
      unread: mine ? 0 : room.unread + unseen,
      mentions: mine ? 0 : room.mentions + unseen * mentionsOf(message, userId),
      readSeq: mine ? Math.max(room.readSeq, message.seq) : room.readSeq,
    };
  }
  if (type === 'message.edited') return isPreview ? { ...room, lastMessage: message } : room;
  if (isPreview && room.lastMessage?.deletedAt) return room;
  const wasUnread = message.sender.id !== userId && message.seq > room.readSeq;
  return {
    ...room,
    // The deleted words leave the preview at once; which message takes its place comes with the next fetch.
    lastMessage: isPreview ? message : room.lastMessage,
    unread: wasUnread ? Math.max(0, room.unread - 1) : room.unread,
  };
}
