import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { query, queryOne, sql } from '../db/sql.ts';
import type { Deps } from '../deps.ts';
import { RateLimited } from '../errors.ts';
import {
  createNotification,
  type NotificationKind,
  type NotificationView,
  publishNotifications,
  publishUnreadCount,
  settleRequestNotifications,
  type UserEvent,
  withdrawUnreadNotifications,
} from './notifications.ts';
import { userChannel } from './session-events.ts';
import {
  type Actor,
  loadPublicUser,
  type PublicUser,
  publicUserColumns,
  toPublicUser,
  type UserRow,
} from './users.ts';

/** What to tell people once the change commits: new notifications, and whose unread count changed otherwise. */
interface Outbox {
  notifications: { userId: number; view: NotificationView }[];
  recounts: Set<number>;
}

/**
 * Runs a change to one pair of users in a transaction that holds the pair's advisory lock, so two calls about the
 * same pair (A asks B while B asks A) run one after the other; the unique index on pending pairs backs it up.
 * Notifications stored inside are published only after the commit, and both users' tabs are told to refresh.
 */
async function changePair<T>(
  deps: Deps,
  em: EntityManager,
  a: number,
  b: number,
  change: (tx: EntityManager, outbox: Outbox) => Promise<T>,
): Promise<T> {
  const outbox: Outbox = { notifications: [], recounts: new Set() };
  const result = await em.transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(?, ?)', [Math.min(a, b), Math.max(a, b)]);
    return change(tx, outbox);
  });
  await publishNotifications(deps, outbox.notifications);
  for (const userId of outbox.recounts) await publishUnreadCount(deps, userId);
  for (const userId of [a, b]) {
    await deps.bus.publish(userChannel(userId), { type: 'friends.changed' } satisfies UserEvent);
  }
  return result;
}

/** Stores a notification for `userId` about what `me` did; it is published once the transaction commits. */
async function notify(
  tx: EntityManager,
  outbox: Outbox,
  me: Actor,
  userId: number,
  kind: NotificationKind,
  what: string,
  requestId?: number,
): Promise<void> {
  const text = `${me.displayName} (@${me.username}) ${what}.`;
  const view = await createNotification(tx, { userId, kind, actorId: me.id, requestId, text });
  outbox.notifications.push({ userId, view });
}

async function setRequestStatus(
  tx: EntityManager,
  requestId: number,
  status: 'accepted' | 'declined' | 'cancelled',
) {
  await query(
    tx,
    sql`update friend_requests set status = ${status}, responded_at = now() where id = ${requestId}`,
  );
}

const notFound = (message: string) => new TRPCError({ code: 'NOT_FOUND', message });
const forbidden = (message: string) => new TRPCError({ code: 'FORBIDDEN', message });
const conflict = (message: string) => new TRPCError({ code: 'CONFLICT', message });

async function requireUser(em: EntityManager, userId: number): Promise<PublicUser> {
  const user = await loadPublicUser(em, userId);
  if (!user) throw notFound('That user does not exist.');
  return user;
}

interface PairState {
  friends: boolean;
  iBlocked: boolean;
  theyBlocked: boolean;
  pending: { id: number; from_id: number } | undefined;
}

async function pairState(em: EntityManager, me: number, other: number): Promise<PairState> {
  const row = await queryOne<{ friends: boolean; i_blocked: boolean; they_blocked: boolean }>(
    em,
    sql`select
      exists (select 1 from friendships where user_low = ${Math.min(me, other)} and user_high = ${Math.max(me, other)})
        as friends,
      exists (select 1 from blocks where blocker_id = ${me} and blocked_id = ${other}) as i_blocked,
      exists (select 1 from blocks where blocker_id = ${other} and blocked_id = ${me}) as they_blocked`,
  );
  const pending = await queryOne<{ id: number; from_id: number }>(
    em,
    sql`select id, from_id from friend_requests where status = 'pending'
      and ((from_id = ${me} and to_id = ${other}) or (from_id = ${other} and to_id = ${me}))`,
  );
  return { friends: row!.friends, iBlocked: row!.i_blocked, theyBlocked: row!.they_blocked, pending };
}

/**
 * Asking one person again and again (send, cancel, send…) would fill their notifications: at most `perHour`
 * requests to the same person in any hour, cancelled ones included. Counted in the database, under the pair's lock.
 */
async function throttleRequests(tx: EntityManager, fromId: number, to: PublicUser, perHour: number) {
  const recent = await queryOne<{ count: string; wait: number | null }>(
    tx,
    sql`select count(*) as count,
        ceil(extract(epoch from min(created_at) + interval '1 hour' - now()))::int as wait
      from (select created_at from friend_requests
        where from_id = ${fromId} and to_id = ${to.id} and created_at > now() - interval '1 hour'
        order by created_at desc limit ${perHour}) latest`,
  );
  if (Number(recent?.count) < perHour) return;
  const wait = Math.max(1, recent?.wait ?? 3600);
  throw new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `You have asked ${to.displayName} ${perHour} times in the last hour. Try again in ${Math.ceil(wait / 60)} min.`,
    cause: new RateLimited(wait),
  });
}

export async function sendRequest(deps: Deps, em: EntityManager, me: Actor, userId: number) {
  if (userId === me.id)
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot befriend yourself.' });
  const other = await requireUser(em, userId);
  return changePair(deps, em, me.id, userId, async (tx, outbox) => {
    const state = await pairState(tx, me.id, userId);
    if (state.iBlocked) throw forbidden(`You blocked ${other.displayName}. Unblock them first.`);
    if (state.theyBlocked) throw forbidden('You cannot send this person a friend request.');
    if (state.friends) throw conflict(`You and ${other.displayName} are already friends.`);
    if (state.pending?.from_id === me.id)
      throw conflict(`You already asked ${other.displayName}; wait for an answer.`);
    if (state.pending) {
      // They asked first: asking back is a yes.
      await acceptPending(tx, outbox, me, userId, state.pending.id);
      return { status: 'accepted' as const, requestId: state.pending.id };
    }
    await throttleRequests(tx, me.id, other, deps.config.limits.friendRequestsPerPersonPerHour);
    const request = await queryOne<{ id: number }>(
      tx,
      sql`insert into friend_requests (from_id, to_id) values (${me.id}, ${userId}) returning id`,
    );
    await notify(tx, outbox, me, userId, 'friend_request.received', 'sent you a friend request', request!.id);
    return { status: 'pending' as const, requestId: request!.id };
  });
}

async function acceptPending(
  tx: EntityManager,
  outbox: Outbox,
  me: Actor,
  fromId: number,
  requestId: number,
) {
  await query(
    tx,
    sql`update friend_requests set status = 'accepted', responded_at = now() where id = ${requestId}`,
  );
  await query(
    tx,
    sql`insert into friendships (user_low, user_high) values (${Math.min(me.id, fromId)}, ${Math.max(me.id, fromId)})
      on conflict do nothing`,
  );
  await notify(tx, outbox, me, fromId, 'friend_request.accepted', 'accepted your friend request', requestId);
  await settleNotificationsOf(tx, outbox, me.id, requestId);
}

/** The request is answered: its notification to `userId` is read wherever it was answered from. */
async function settleNotificationsOf(tx: EntityManager, outbox: Outbox, userId: number, requestId: number) {
  if (await settleRequestNotifications(tx, userId, requestId)) outbox.recounts.add(userId);
}

interface RequestRow {
  id: number;
  from_id: number;
  to_id: number;
  status: string;
}

/** Loads a request for a state change by `me` as `role`, in the pair's lock: it must be theirs and pending. */
async function respond(
  deps: Deps,
  em: EntityManager,
  me: Actor,
  requestId: number,
  role: 'receiver' | 'sender',
  change: (tx: EntityManager, outbox: Outbox, request: RequestRow) => Promise<void>,
) {
  const found = await queryOne<RequestRow>(em, sql`select * from friend_requests where id = ${requestId}`);
  if (!found || (found.from_id !== me.id && found.to_id !== me.id))
    throw notFound('That friend request does not exist.');
  await changePair(deps, em, found.from_id, found.to_id, async (tx, outbox) => {
    const request = (await queryOne<RequestRow>(
      tx,
      sql`select * from friend_requests where id = ${requestId}`,
    ))!;
    const mine = role === 'receiver' ? request.to_id === me.id : request.from_id === me.id;
    if (!mine) {
      throw forbidden(
        role === 'receiver'
          ? 'Only the person asked can answer this request.'
          : 'Only the sender can cancel it.',
      );
    }
    if (request.status !== 'pending') throw conflict(`This request was already ${request.status}.`);
    await change(tx, outbox, request);
  });
  return { ok: true as const };
}

export const acceptRequest = (deps: Deps, em: EntityManager, me: Actor, requestId: number) =>
  respond(deps, em, me, requestId, 'receiver', (tx, outbox, request) =>
    acceptPending(tx, outbox, me, request.from_id, request.id),
  );

/** Quietly, as other chat apps do: the asker sees the request leave their list (friends.changed), no notice. */
export const declineRequest = (deps: Deps, em: EntityManager, me: Actor, requestId: number) =>
  respond(deps, em, me, requestId, 'receiver', async (tx, outbox, request) => {
    await setRequestStatus(tx, request.id, 'declined');
    await settleNotificationsOf(tx, outbox, me.id, request.id);
  });

/**
 * Cancelling takes back the request's notification if the person asked has not read it yet (they need never know);
 * if they have, they are told it was cancelled.
 */
export const cancelRequest = (deps: Deps, em: EntityManager, me: Actor, requestId: number) =>
  respond(deps, em, me, requestId, 'sender', async (tx, outbox, request) => {
    await setRequestStatus(tx, request.id, 'cancelled');
    if (await withdrawUnreadNotifications(tx, request.to_id, request.id)) {
      outbox.recounts.add(request.to_id);
      return;
    }
    await notify(
      tx,
      outbox,
      me,
      request.to_id,
      'friend_request.cancelled',
      'cancelled their friend request',
      request.id,
    );
  });

export async function removeFriend(deps: Deps, em: EntityManager, me: Actor, userId: number) {
  const other = await requireUser(em, userId);
  await changePair(deps, em, me.id, userId, async (tx) => {
    const removed = await query<{ user_low: number }>(
      tx,
      sql`delete from friendships where user_low = ${Math.min(me.id, userId)} and user_high = ${Math.max(me.id, userId)}
        returning user_low`,
    );
    // Quietly: their friend list and sidebar change (friends.changed), with no notice to rub it in.
    if (removed.length === 0) throw notFound(`You are not friends with ${other.displayName}.`);
  });
  return { ok: true as const };
}

/** Blocking ends any friendship and pending request between the two, and hides each from the other's search. */
export async function block(deps: Deps, em: EntityManager, me: Actor, userId: number) {
  if (userId === me.id) throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot block yourself.' });
  await requireUser(em, userId);
  await changePair(deps, em, me.id, userId, async (tx) => {
    await query(
      tx,
      sql`insert into blocks (blocker_id, blocked_id) values (${me.id}, ${userId}) on conflict do nothing`,
    );
    await query(
      tx,
      sql`delete from friendships where user_low = ${Math.min(me.id, userId)} and user_high = ${Math.max(me.id, userId)}`,
    );
    await query(
      tx,
      sql`update friend_requests set status = 'cancelled', responded_at = now() where status = 'pending'
        and ((from_id = ${me.id} and to_id = ${userId}) or (from_id = ${userId} and to_id = ${me.id}))`,
    );
  });
  return { ok: true as const };
}

export async function unblock(deps: Deps, em: EntityManager, me: Actor, userId: number) {
  await changePair(deps, em, me.id, userId, async (tx) => {
    const rows = await query(
      tx,
      sql`delete from blocks where blocker_id = ${me.id} and blocked_id = ${userId} returning blocked_id`,
    );
    if (rows.length === 0) throw notFound('You have not blocked that user.');
  });
  return { ok: true as const };
}

export async function areFriends(em: EntityManager, a: number, b: number): Promise<boolean> {
  const row = await queryOne(
    em,
    sql`select 1 from friendships where user_low = ${Math.min(a, b)} and user_high = ${Math.max(a, b)}`,
  );
  return row !== undefined;
}

/** Your friends, or a friend's; anyone else's list is private. */
export async function listFriends(em: EntityManager, me: number, userId: number = me) {
  if (userId !== me) {
    await requireUser(em, userId);
    if (!(await areFriends(em, me, userId))) throw forbidden("Only friends can see each other's friends.");
  }
  const rows = await query<UserRow>(
    em,
    sql`select ${publicUserColumns} from friendships f
      join users u on u.id = case when f.user_low = ${userId} then f.user_high else f.user_low end
      where f.user_low = ${userId} or f.user_high = ${userId}
      order by lower(u.display_name), u.id`,
  );
  return { items: rows.map(toPublicUser) };
}

interface PendingRow extends UserRow {
  request_id: number;
  from_id: number;
  requested_at: string;
}

export async function pendingRequests(em: EntityManager, me: number) {
  const rows = await query<PendingRow>(
    em,
    sql`select r.id as request_id, r.from_id, r.created_at as requested_at, ${publicUserColumns}
      from friend_requests r
      join users u on u.id = case when r.from_id = ${me} then r.to_id else r.from_id end
      where r.status = 'pending' and (r.from_id = ${me} or r.to_id = ${me})
      order by r.id desc`,
  );
  const entry = (row: PendingRow) => ({
    id: row.request_id,
    createdAt: new Date(row.requested_at).toISOString(),
  });
  return {
    incoming: rows.filter((r) => r.from_id !== me).map((r) => ({ ...entry(r), from: toPublicUser(r) })),
    outgoing: rows.filter((r) => r.from_id === me).map((r) => ({ ...entry(r), to: toPublicUser(r) })),
  };
}

export async function blockedUsers(em: EntityManager, me: number) {
  const rows = await query<UserRow>(
    em,
    sql`select ${publicUserColumns} from blocks b join users u on u.id = b.blocked_id
      where b.blocker_id = ${me} order by b.created_at desc`,
  );
  return { items: rows.map(toPublicUser) };
}
