import { type EntityManager, sql } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { Notification } from '../db/entities/index.ts';
import type { NotificationKind } from '../db/entities/people.ts';
import { gatheredById } from '../db/gathered.ts';
import { perOrm } from '../db/orm.ts';
import { unreadNotificationCounts } from '../db/statements/people.ts';
import type { Deps } from '../deps.ts';
import type { EventBus } from '../realtime/bus.ts';
import { LiveGroups } from '../realtime/live-groups.ts';
import type { LiveTarget } from '../realtime/live-target.ts';
import {
  type NotificationView,
  notificationViewOf,
  shownNotificationFields,
} from '../views/notifications.ts';
import type { RoomEventView } from './chat/messages.ts';
import { userChannel } from './session-events.ts';

export type { NotificationKind, NotificationView };

/** What `notifications.onEvent` streams; also on the user's bus channel. */
export type UserEvent =
  | { type: 'notification'; notification: NotificationView; unreadCount: number }
  | { type: 'notifications.read'; unreadCount: number }
  | { type: 'friends.changed' }
  /**
   * A private room changed: with `event`, the room event that changed it (a tab patches its preview from it, and
   * for a new message takes this member's `unread` and `readSeq` as they now stand); without, the room itself is
   * new or different (a tab fetches it again).
   */
  | { type: 'room.changed'; roomId: number; event?: RoomEventView; unread?: number; readSeq?: number }
  /**
   * This user read a room in some tab: every tab's badge takes the new count (and unread mentions, when known;
   * without them a tab that read everything has none left).
   */
  | { type: 'room.read'; roomId: number; unread: number; readSeq: number; mentions?: number }
  /** This user muted or unmuted a room in some tab: every tab's sidebar and notifications follow. */
  | { type: 'room.muted'; roomId: number; muted: boolean }
  | { type: 'friend.presence'; userId: number; online: boolean }
  /**
   * Events for this user may have been lost between instances (the link through Redis dropped and came back):
   * whatever the tab shows from this stream (unread counts, room list, friends) should be fetched again.
   */
  | { type: 'resync' };

const userEventTypes = new Set<UserEvent['type']>([
  'notification',
  'notifications.read',
  'friends.changed',
  'room.changed',
  'room.read',
  'room.muted',
  'friend.presence',
  'resync',
]);
export function isUserEvent(message: unknown): message is UserEvent {
  return typeof message === 'object' && message !== null && userEventTypes.has((message as UserEvent).type);
}

/** Each person's news as it is written to their sockets: at once, and a resync to all when the bus may have missed some. */
export function createUserEventGroups(bus: EventBus): LiveGroups {
  return new LiveGroups(bus, { gatherMs: null, resync: { type: 'resync' } satisfies UserEvent });
}

/**
 * A person's news (`notifications.onEvent`), starting with their unread count. The stream joins first and counts
 * after, so nothing published in between is lost. The count goes through tRPC; the rest is written by the
 * instance's groups (one bus listener per person, one frame per event).
 */
export async function* userEventStream(
  deps: Deps,
  userId: number,
  signal: AbortSignal | undefined,
  target: LiveTarget,
) {
  const channel = userChannel(userId);
  const member = deps.userEvents.join(channel, target, signal, isUserEvent);
  await deps.bus.ready(channel);
  yield await unreadCountEvent(deps, userId);
  // tRPC has written the count before this line runs: what queued since joining follows it.
  member.goLive();
  target.park();
}

async function unreadCountEvent(deps: Deps, userId: number): Promise<UserEvent> {
  // The ORM's own entity manager, no fork: a tab's stream runs in no transaction (a fork per tab showed in a
  // connect's profile).
  return { type: 'notifications.read', unreadCount: await gatheredUnreadCount(deps.orm.em, userId) };
}

export interface NewNotification {
  userId: number;
  kind: NotificationKind;
  actorId: number;
  requestId?: number;
  /** The message a mention notification opens. */
  messageId?: string;
  text: string;
}

/** Stores a notification inside the caller's transaction; publish it after the commit. */
export async function createNotification(
  em: EntityManager,
  input: NewNotification,
): Promise<NotificationView> {
  // A plain insert: the caller's identity map gains no half-known actor or request to flush back later.
  const id = await em.insert(Notification, {
    userId: input.userId,
    kind: input.kind,
    actor: input.actorId,
    request: input.requestId ?? null,
    message: input.messageId ?? null,
    text: input.text,
  });
  const shown = await em.findOneOrFail(Notification, id, {
    populate: ['actor', 'request', 'message'],
    fields: shownNotificationFields,
  });
  return notificationViewOf(shown);
}

/** Counts read outside a transaction, gathered (see `unreadNotificationCounts`). */
const unreadCountReadsOf = perOrm((em) => gatheredById(em, unreadNotificationCounts));

/** The user's unread notifications; inside a transaction, as that transaction sees them. */
export async function unreadCount(em: EntityManager, userId: number): Promise<number> {
  if (em.isInTransaction()) return em.count(Notification, { userId, readAt: null });
  return gatheredUnreadCount(em, userId);
}

/** The count outside any transaction, read with the others asked for at the same time. */
async function gatheredUnreadCount(em: EntityManager, userId: number): Promise<number> {
  return (await unreadCountReadsOf(em)(userId))?.unread ?? 0;
}

/** Pushes committed notifications to every open tab of their owners, with the new unread count. */
export async function publishNotifications(
  deps: Deps,
  notifications: { userId: number; view: NotificationView }[],
) {
  const em = deps.orm.em.fork();
  // Counted together (one statement), then published in order.
  const counts = await Promise.all(notifications.map(({ userId }) => unreadCount(em, userId)));
  for (const [i, { userId, view }] of notifications.entries()) {
    const event: UserEvent = { type: 'notification', notification: view, unreadCount: counts[i] ?? 0 };
    await deps.bus.publish(userChannel(userId), event);
  }
}

export async function listNotifications(
  em: EntityManager,
  userId: number,
  cursor: string | null,
  limit: number,
) {
  if (cursor !== null && !/^\d+$/.test(cursor)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'That page cursor is not valid.' });
  }
  const notifications = await em.find(Notification, cursor ? { userId, id: { $lt: cursor } } : { userId }, {
    populate: ['actor', 'request', 'message'],
    fields: shownNotificationFields,
    orderBy: { id: 'desc' },
    limit: limit + 1,
  });
  const items = notifications.slice(0, limit).map(notificationViewOf);
  return { items, nextCursor: notifications.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function markRead(
  deps: Deps,
  em: EntityManager,
  userId: number,
  which: { ids: string[] } | { all: true },
): Promise<{ unreadCount: number }> {
  const ids = 'ids' in which ? which.ids.filter((id) => /^\d+$/.test(id)) : null;
  if (ids === null || ids.length > 0) {
    await em.nativeUpdate(
      Notification,
      ids ? { userId, readAt: null, id: { $in: ids } } : { userId, readAt: null },
      { readAt: sql.now() },
    );
  }
  return { unreadCount: await publishUnreadCount(deps, userId, em) };
}

/**
 * Tells every tab of the user their unread count (the bell's badge); tabs showing the list read it again. Returns
 * the count.
 */
export async function publishUnreadCount(
  deps: Deps,
  userId: number,
  em = deps.orm.em.fork(),
): Promise<number> {
  const count = await unreadCount(em, userId);
  await deps.bus.publish(userChannel(userId), {
    type: 'notifications.read',
    unreadCount: count,
  } satisfies UserEvent);
  return count;
}

/** The unread notification of a friend request that `userId` received. */
const unreadRequestNotification = (userId: number, requestId: number) => ({
  userId,
  request: requestId,
  kind: 'friend_request.received' as const,
  readAt: null,
});

/**
 * The person asked answered the request (from the bell, their Requests page or another tab): its notification is
 * read. True when one was unread, so the caller publishes the new count.
 */
export async function settleRequestNotifications(
  em: EntityManager,
  userId: number,
  requestId: number,
): Promise<boolean> {
  const settled = await em.nativeUpdate(Notification, unreadRequestNotification(userId, requestId), {
    readAt: sql.now(),
  });
  return settled > 0;
}

/** Deletes the user's unread notification of a friend request (it was cancelled); true when there was one. */
export async function withdrawUnreadNotifications(
  em: EntityManager,
  userId: number,
  requestId: number,
): Promise<boolean> {
  const deleted = await em.nativeDelete(Notification, unreadRequestNotification(userId, requestId));
  return deleted > 0;
}
