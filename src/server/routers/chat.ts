import { TRPCError } from '@trpc/server';
import { reportInput } from '../../shared/admin.ts';
import {
  deleteInput,
  describeImageInput,
  editInput,
  historyInput,
  markReadInput,
  openPrivateInput,
  roomEventInput,
  roomInput,
  sendInput,
  uploadImageInput,
} from '../../shared/chat.ts';
import { setRoomMutedInput } from '../../shared/room-mute.ts';
import type { SocketConnection } from '../context.ts';
import { onAbort } from '../realtime/abort.ts';
import { socketTarget } from '../realtime/live-target.ts';
import { activityStream, announceTyping } from '../services/chat/activity.ts';
import { roomEventStream } from '../services/chat/events.ts';
import { historyAfter, historyAround } from '../services/chat/history-window.ts';
import { describeImage, imageLimits, uploadImage } from '../services/chat/images.ts';
import { refuseMentionFlood } from '../services/chat/mentions.ts';
import { history } from '../services/chat/messages.ts';
import { activeMute } from '../services/chat/mute.ts';
import { edit, remove, send } from '../services/chat/post.ts';
import { setRoomMuted, withMuted, withMutedOne } from '../services/chat/room-mute.ts';
import * as rooms from '../services/chat/rooms.ts';
import type { UserEvent } from '../services/notifications.ts';
import { reportMessage } from '../services/reports.ts';
import { userChannel } from '../services/session-events.ts';
import { protectedProcedure, publicProcedure, router } from '../trpc.ts';
import { mentionProcedures } from './mentions.ts';
import { reactionProcedures } from './reactions.ts';

/**
 * A socket follows each room once: a second stream of the same room would only send every event twice (and let
 * one socket multiply the server's work). Stop the first subscription before starting another.
 */
function followOnce(connection: SocketConnection | null, roomId: number, signal: AbortSignal | undefined) {
  if (!connection) return;
  if (connection.rooms.has(roomId)) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: `This connection already follows room ${roomId}; stop that subscription first.`,
    });
  }
  connection.rooms.add(roomId);
  onAbort(signal, () => connection.rooms.delete(roomId));
}

export const chatRouter = router({
  ...reactionProcedures,
  ...mentionProcedures,

  rooms: protectedProcedure.query(async ({ ctx }) => {
    const list = await rooms.listRooms(ctx.em, ctx.user.id);
    // Presence is for friends: a former friend's room keeps their name, not whether they are online.
    const others = list.flatMap((room) => (room.other && !room.formerFriend ? [room.other] : []));
    const online = await ctx.deps.presence.online(others.map((u) => u.id));
    const withPresence = list.map((room) =>
      room.other ? { ...room, other: { ...room.other, online: online.has(room.other.id) } } : room,
    );
    return withMuted(ctx.em, ctx.user.id, withPresence);
  }),

  /** The caller's mute, if one is in force (`{ until, reason }`), else null: shown in place of the composer. */
  muteStatus: protectedProcedure.query(({ ctx }) => activeMute(ctx.em, ctx.user.id)),

  /** The one public room; signed-out visitors may read it. */
  publicRoom: publicProcedure.query(async ({ ctx }) => {
    const userId = ctx.auth?.user.id ?? null;
    const room = await rooms.roomView(ctx.em, await rooms.publicRoomId(ctx.em), userId);
    return withMutedOne(ctx.em, userId, room);
  }),

  openPrivate: protectedProcedure.input(openPrivateInput).mutation(async ({ ctx, input }) => {
    const room = await rooms.openPrivate(ctx.em, ctx.user.id, input.userId);
    // The other member's sidebar shows the conversation as soon as it exists.
    const event: UserEvent = { type: 'room.changed', roomId: room.id };
    await ctx.deps.bus.publish(userChannel(input.userId), event);
    return withMutedOne(ctx.em, ctx.user.id, room);
  }),

  /** Mutes or unmutes a room for the caller (a member; the public room too): it counts unread, never notifies. */
  setRoomMuted: protectedProcedure
    .input(setRoomMutedInput)
    .mutation(({ ctx, input }) => setRoomMuted(ctx.deps, ctx.em, ctx.user.id, input.roomId, input.muted)),

  history: publicProcedure.input(historyInput).query(async ({ ctx, input }) => {
    await rooms.authorizeRead(ctx.em, input.roomId, ctx.auth?.user.id ?? null);
    if (input.aroundSeq != null) return historyAround(ctx.em, input.roomId, input.aroundSeq, input.limit);
    if (input.afterSeq != null) return historyAfter(ctx.em, input.roomId, input.afterSeq, input.limit);
    return history(ctx.em, input.roomId, input.beforeSeq ?? null, input.limit);
  }),

  send: protectedProcedure.input(sendInput).mutation(({ ctx, input }) => {
    refuseMentionFlood(input.body, ctx.deps.config.limits.mentionsPerMessage);
    return send(ctx.deps, ctx.em, ctx.user, input);
  }),

  /**
   * One image for a message to this room (PNG, JPEG, WebP or a still GIF; IMAGE_MAX_BYTES), base64 in JSON like an
   * avatar. Answers with its id for `chat.send`'s `attachmentIds`, and its sizes and addresses.
   */
  uploadImage: protectedProcedure
    .input(uploadImageInput)
    .mutation(({ ctx, input }) => uploadImage(ctx.deps, ctx.em, ctx.user, input)),

  /** Describes an upload not sent yet (what the image shows, for people who cannot see it). */
  describeImage: protectedProcedure
    .input(describeImageInput)
    .mutation(({ ctx, input }) => describeImage(ctx.em, ctx.user, input)),

  /** The largest image file this server takes and how many go in one message. */
  imageLimits: protectedProcedure.query(({ ctx }) => imageLimits(ctx.deps)),

  edit: protectedProcedure.input(editInput).mutation(({ ctx, input }) => {
    refuseMentionFlood(input.body, ctx.deps.config.limits.mentionsPerMessage);
    return edit(ctx.deps, ctx.em, ctx.user, input.messageId, input.body);
  }),

  delete: protectedProcedure
    .input(deleteInput)
    .mutation(({ ctx, input }) => remove(ctx.deps, ctx.em, ctx.user, input.messageId)),

  markRead: protectedProcedure.input(markReadInput).mutation(async ({ ctx, input }) => {
    const result = await rooms.markRead(ctx.deps, ctx.em, input.roomId, ctx.user.id, input.seq);
    const event: UserEvent = { type: 'room.read', ...result };
    await ctx.deps.bus.publish(userChannel(ctx.user.id), event);
    return result;
  }),

  /** Durable room events, tracked by position: reconnect with `lastEventId` to get exactly what was missed. */
  onRoomEvent: publicProcedure.input(roomEventInput).subscription(async ({ ctx, input, signal }) => {
    await rooms.authorizeRead(ctx.em, input.roomId, ctx.auth?.user.id ?? null);
    followOnce(ctx.connection, input.roomId, signal);
    return roomEventStream(ctx.deps, input.roomId, input.lastEventId, signal, socketTarget(signal));
  }),

  /** Flags a message for the moderators; anyone who can read it may, once. */
  report: protectedProcedure
    .input(reportInput)
    .mutation(({ ctx, input }) => reportMessage(ctx.em, ctx.user.id, input.messageId, input.reason)),

  /** "Someone is typing": ephemeral, never stored; expires on the client after a few seconds. */
  typing: protectedProcedure.input(roomInput).mutation(async ({ ctx, input }) => {
    await rooms.authorizeWrite(ctx.em, input.roomId, ctx.user);
    await announceTyping(ctx.deps, input.roomId, ctx.user);
    return { ok: true as const };
  }),

  /** Ephemeral room activity: typing, and for the public room how many people are connected. Never tracked. */
  onActivity: publicProcedure.input(roomInput).subscription(async ({ ctx, input, signal }) => {
    const room = await rooms.authorizeRead(ctx.em, input.roomId, ctx.auth?.user.id ?? null);
    return activityStream(ctx.deps, room, signal, socketTarget(signal));
  }),
});
