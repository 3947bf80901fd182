import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { NotificationKind, requestStatuses } from '../db/entities/people.ts';

type RequestStatus = (typeof requestStatuses)[number];

import { isoTime, list, query, queryOne, sql } from '../db/sql.ts';
import type { Deps } from '../deps.ts';
import type { RoomEventView } from './chat/messages.ts';
import { userChannel } from './session-events.ts';
import { type PublicUser, publicUserColumns, toPublicUser, type UserRow } from './users.ts';

export type { NotificationKind };

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  text: string;
  actor: PublicUser | null;
  requestId: number | null;
  /** True while the request it is about can still be accepted or declined. */
  requestPending: boolean;
  /** Where the request it is about stands now (null when it is about none): shown as its outcome. */
  requestStatus: RequestStatus | null;
  createdAt: string;
  readAt: string | null;
}

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
  /** This user read a room in some tab: every tab's badge takes the new count. */
  | { type: 'room.read'; roomId: number; unread: number; readSeq: number }
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

interface NotificationRow extends UserRow {
  nid: string;
  kind: NotificationKind;
  text: string;
  actor_id: number | null;
  request_id: number | null;
  request_status: RequestStatus | null;
  created_at: string;
  read_at: string | null;
}

function toView(row: NotificationRow): NotificationView {
  return {
    id: String(row.nid),
    kind: row.kind,
    text: row.text,
    actor: row.actor_id === null ? null : toPublicUser(row),
    requestId: row.request_id,
    requestPending: row.request_status === 'pending',
    requestStatus: row.request_status,
    createdAt: isoTime(row.created_at)!,
    readAt: isoTime(row.read_at),
  };
}

const selectNotifications = sql`select n.id as nid, n.kind, n.text, n.actor_id, n.request_id, n.created_at,
    n.read_at, r.status as request_status, ${publicUserColumns}
  from notifications n
  left join users u on u.id = n.actor_id
  left join friend_requests r on r.id = n.request_id`;

export interface NewNotification {
  userId: number;
  kind: NotificationKind;
  actorId: number;
  requestId?: number;
  text: string;
}

/** Stores a notification inside the caller's transaction; publish it after the commit. */
export async function createNotification(
  em: EntityManager,
  input: NewNotification,
): Promise<NotificationView> {
  const inserted = await queryOne<{ id: string }>(
    em,
    sql`insert into notifications (user_id, kind, actor_id, request_id, text)
      values (${input.userId}, ${input.kind}, ${input.actorId}, ${input.requestId ?? null}, ${input.text})
      returning id`,
  );
  const row = await queryOne<NotificationRow>(em, sql`${selectNotifications} where n.id = ${inserted!.id}`);
  return toView(row!);
}

export async function unreadCount(em: EntityManager, userId: number): Promise<number> {
  const row = await queryOne<{ count: string }>(
    em,
    sql`select count(*) from notifications where user_id = ${userId} and read_at is null`,
  );
  return Number(row?.count ?? 0);
}

/** Pushes committed notifications to every open tab of their owners, with the new unread count. */
export async function publishNotifications(
  deps: Deps,
  notifications: { userId: number; view: NotificationView }[],
) {
  const em = deps.orm.em.fork();
  for (const { userId, view } of notifications) {
    const event: UserEvent = {
      type: 'notification',
      notification: view,
      unreadCount: await unreadCount(em, userId),
    };
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
  const rows = await query<NotificationRow>(
    em,
    sql`${selectNotifications} where n.user_id = ${userId} ${cursor ? sql`and n.id < ${cursor}` : sql``}
      order by n.id desc limit ${limit + 1}`,
  );
  const items = rows.slice(0, limit).map(toView);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function markRead(
  deps: Deps,
  em: EntityManager,
  userId: number,
  which: { ids: string[] } | { all: true },
): Promise<{ unreadCount: number }> {
  const ids = 'ids' in which ? which.ids.filter((id) => /^\d+$/.test(id)) : null;
  if (ids === null || ids.length > 0) {
    const only = ids ? sql`and id in (${list(ids)})` : sql``;
    await query(
      em,
      sql`update notifications set read_at = now() where user_id = ${userId} and read_at is null ${only}`,
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

/** Deletes the user's unread notification of a friend request (it was cancelled); true when there was one. */
/**
 * The person asked answered the request (from the bell, their Requests page or another tab): its notification is
 * read. True when one was unread, so the caller publishes the new count.
 */
export async function settleRequestNotifications(
  em: EntityManager,
  userId: number,
  requestId: number,
): Promise<boolean> {
  const settled = await query<{ id: string }>(
    em,
    sql`update notifications set read_at = now() where user_id = ${userId} and request_id = ${requestId}
      and kind = 'friend_request.received' and read_at is null returning id`,
  );
  return settled.length > 0;
}

export async function withdrawUnreadNotifications(
  em: EntityManager,
  userId: number,
  requestId: number,
): Promise<boolean> {
  const deleted = await query<{ id: string }>(
    em,
    sql`delete from notifications where user_id = ${userId} and request_id = ${requestId}
      and kind = 'friend_request.received' and read_at is null returning id`,
  );
  return deleted.length > 0;
}
