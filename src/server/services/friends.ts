import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { Block, FriendRequest, Friendship, User } from '../db/entities/index.ts';
import { lockPair, pairState } from '../db/statements/people.ts';
import type { Deps } from '../deps.ts';
import { RateLimited } from '../errors.ts';
import { type PublicUser, publicUserFields, publicUserOf } from '../views/people.ts';
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
import { type Actor, loadPublicUser } from './users.ts';

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
    await lockPair(tx, a, b);
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

type Answer = 'accepted' | 'declined' | 'cancelled';

async function setRequestStatus(tx: EntityManager, requestId: number, status: Answer) {
  await tx.nativeUpdate(FriendRequest, { id: requestId }, { status, respondedAt: new Date() });
}

/** A pair's friendship row: one per pair, the lower id first. */
const friendshipOf = (a: number, b: number) => ({ userLow: Math.min(a, b), userHigh: Math.max(a, b) });

/** Requests between two people, in either direction. */
const betweenPair = (a: number, b: number) => ({
  $or: [
    { fromId: a, toId: b },
    { fromId: b, toId: a },
  ],
});

const notFound = (message: string) => new TRPCError({ code: 'NOT_FOUND', message });
const forbidden = (message: string) => new TRPCError({ code: 'FORBIDDEN', message });
const conflict = (message: string) => new TRPCError({ code: 'CONFLICT', message });

async function requireUser(em: EntityManager, userId: number): Promise<PublicUser> {
  const user = await loadPublicUser(em, userId);
  if (!user) throw notFound('That user does not exist.');
  return user;
}

/**
 * Asking one person again and again (send, cancel, send…) would fill their notifications: at most `perHour`
 * requests to the same person in any hour, cancelled ones included. Counted in the database, under the pair's lock.
 */
async function throttleRequests(tx: EntityManager, fromId: number, to: PublicUser, perHour: number) {
  const hourMs = 3_600_000;
  const latest = await tx.find(
    FriendRequest,
    { fromId, toId: to.id, createdAt: { $gt: new Date(Date.now() - hourMs) } },
    { fields: ['createdAt'], orderBy: { createdAt: 'desc' }, limit: perHour },
  );
  const oldest = latest.at(-1);
  if (latest.length < perHour || !oldest) return;
  // Until the oldest of them is an hour old.
  const wait = Math.max(1, Math.ceil((oldest.createdAt.getTime() + hourMs - Date.now()) / 1000));
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
    if (state.pending?.fromId === me.id)
      throw conflict(`You already asked ${other.displayName}; wait for an answer.`);
    if (state.pending) {
      // They asked first: asking back is a yes.
      await acceptPending(tx, outbox, me, userId, state.pending.id);
      return { status: 'accepted' as const, requestId: state.pending.id };
    }
    await throttleRequests(tx, me.id, other, deps.config.limits.friendRequestsPerPersonPerHour);
    const request = tx.create(FriendRequest, { fromId: me.id, toId: userId });
    await tx.flush();
    await notify(tx, outbox, me, userId, 'friend_request.received', 'sent you a friend request', request.id);
    return { status: 'pending' as const, requestId: request.id };
  });
}

async function acceptPending(
  tx: EntityManager,
  outbox: Outbox,
  me: Actor,
  fromId: number,
  requestId: number,
) {
  await setRequestStatus(tx, requestId, 'accepted');
  await tx.createQueryBuilder(Friendship).insert(friendshipOf(me.id, fromId)).onConflict().ignore().execute();
  await notify(tx, outbox, me, fromId, 'friend_request.accepted', 'accepted your friend request', requestId);
  await settleNotificationsOf(tx, outbox, me.id, requestId);
}

/** The request is answered: its notification to `userId` is read wherever it was answered from. */
async function settleNotificationsOf(tx: EntityManager, outbox: Outbox, userId: number, requestId: number) {
  if (await settleRequestNotifications(tx, userId, requestId)) outbox.recounts.add(userId);
}

type RequestRow = Pick<FriendRequest, 'id' | 'fromId' | 'toId' | 'status'>;

/** Loads a request for a state change by `me` as `role`, in the pair's lock: it must be theirs and pending. */
async function respond(
  deps: Deps,
  em: EntityManager,
  me: Actor,
  requestId: number,
  role: 'receiver' | 'sender',
  change: (tx: EntityManager, outbox: Outbox, request: RequestRow) => Promise<void>,
) {
  const found = await em.findOne(FriendRequest, { id: requestId });
  if (!found) throw notFound('That friend request does not exist.');
  // Someone else's request is theirs to answer (API.md: "not the receiver: FORBIDDEN"), as it is for its sender.
  if (found.fromId !== me.id && found.toId !== me.id) throw notYours(role);
  await changePair(deps, em, found.fromId, found.toId, async (tx, outbox) => {
    // Read again under the pair's lock (not from the identity map): another answer may have come first.
    const request = await tx.findOne(FriendRequest, { id: requestId }, { refresh: true });
    // Gone meanwhile: one of the two deleted their account.
    if (!request) throw notFound('That friend request does not exist.');
    const mine = role === 'receiver' ? request.toId === me.id : request.fromId === me.id;
    if (!mine) throw notYours(role);
    if (request.status !== 'pending') throw conflict(`This request was already ${request.status}.`);
    await change(tx, outbox, request);
  });
  return { ok: true as const };
}

const notYours = (role: 'receiver' | 'sender') =>
  forbidden(
    role === 'receiver' ? 'Only the person asked can answer this request.' : 'Only the sender can cancel it.',
  );

export const acceptRequest = (deps: Deps, em: EntityManager, me: Actor, requestId: number) =>
  respond(deps, em, me, requestId, 'receiver', (tx, outbox, request) =>
    acceptPending(tx, outbox, me, request.fromId, request.id),
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
    if (await withdrawUnreadNotifications(tx, request.toId, request.id)) {
      outbox.recounts.add(request.toId);
      return;
    }
    await notify(
      tx,
      outbox,
      me,
      request.toId,
      'friend_request.cancelled',
      'cancelled their friend request',
      request.id,
    );
  });

export async function removeFriend(deps: Deps, em: EntityManager, me: Actor, userId: number) {
  const other = await requireUser(em, userId);
  await changePair(deps, em, me.id, userId, async (tx) => {
    const removed = await tx.nativeDelete(Friendship, friendshipOf(me.id, userId));
    // Quietly: their friend list and sidebar change (friends.changed), with no notice to rub it in.
    if (removed === 0) throw notFound(`You are not friends with ${other.displayName}.`);
  });
  return { ok: true as const };
}

/** Blocking ends any friendship and pending request between the two, and hides each from the other's search. */
export async function block(deps: Deps, em: EntityManager, me: Actor, userId: number) {
  if (userId === me.id) throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot block yourself.' });
  await requireUser(em, userId);
  await changePair(deps, em, me.id, userId, async (tx) => {
    await tx
      .createQueryBuilder(Block)
      .insert({ blockerId: me.id, blockedId: userId })
      .onConflict()
      .ignore()
      .execute();
    await tx.nativeDelete(Friendship, friendshipOf(me.id, userId));
    await tx.nativeUpdate(
      FriendRequest,
      { status: 'pending', ...betweenPair(me.id, userId) },
      { status: 'cancelled', respondedAt: new Date() },
    );
  });
  return { ok: true as const };
}

export async function unblock(deps: Deps, em: EntityManager, me: Actor, userId: number) {
  await changePair(deps, em, me.id, userId, async (tx) => {
    const removed = await tx.nativeDelete(Block, { blockerId: me.id, blockedId: userId });
    if (removed === 0) throw notFound('You have not blocked that user.');
  });
  return { ok: true as const };
}

export async function areFriends(em: EntityManager, a: number, b: number): Promise<boolean> {
  return (await em.count(Friendship, friendshipOf(a, b))) > 0;
}

/** Your friends, or a friend's; anyone else's list is private. */
export async function listFriends(em: EntityManager, me: number, userId: number = me) {
  if (userId !== me) {
    await requireUser(em, userId);
    if (!(await areFriends(em, me, userId))) throw forbidden("Only friends can see each other's friends.");
  }
  // The friend is whichever side of the pair `userId` is not.
  const friendsOn = (side: 'userLow' | 'userHigh', other: 'userLow' | 'userHigh') =>
    em
      .createQueryBuilder(Friendship, 'f')
      .select(`f.${other}`)
      .where({ [side]: userId })
      .getKnexQuery();
  const friends = await em
    .createQueryBuilder(User, 'u')
    .select(publicUserFields.map((field) => `u.${field}` as const))
    .where({
      $or: [
        { id: { $in: friendsOn('userLow', 'userHigh') } },
        { id: { $in: friendsOn('userHigh', 'userLow') } },
      ],
    })
    .orderBy([{ [raw('lower(u.display_name)')]: 'asc' }, { id: 'asc' }])
    .getResultList();
  return { items: friends.map(publicUserOf) };
}

export async function pendingRequests(em: EntityManager, me: number) {
  const requests = await em.find(
    FriendRequest,
    { status: 'pending', $or: [{ fromId: me }, { toId: me }] },
    { orderBy: { id: 'desc' } },
  );
  const otherOf = (request: FriendRequest) => (request.fromId === me ? request.toId : request.fromId);
  const people = await usersById(em, requests.map(otherOf));
  const entry = (request: FriendRequest) => ({ id: request.id, createdAt: request.createdAt.toISOString() });
  const withPerson = requests.flatMap((request) => {
    const person = people.get(otherOf(request));
    return person ? [{ request, person }] : [];
  });
  return {
    incoming: withPerson
      .filter(({ request }) => request.fromId !== me)
      .map(({ request, person }) => ({ ...entry(request), from: person })),
    outgoing: withPerson
      .filter(({ request }) => request.fromId === me)
      .map(({ request, person }) => ({ ...entry(request), to: person })),
  };
}

/** PublicUsers by id, in one query (none when there are no ids). */
async function usersById(em: EntityManager, ids: number[]): Promise<Map<number, PublicUser>> {
  if (ids.length === 0) return new Map();
  const users = await em.find(User, { id: { $in: ids } }, { fields: publicUserFields });
  return new Map(users.map((user) => [user.id, publicUserOf(user)]));
}

/** The people you blocked, the latest first. */
export async function blockedUsers(em: EntityManager, me: number) {
  const blocks = em
    .createQueryBuilder(Block, 'b')
    .select(['b.blockedId', 'b.createdAt'])
    .where({ blockerId: me });
  const blocked = await em
    .createQueryBuilder(User, 'u')
    .select(publicUserFields.map((field) => `u.${field}` as const))
    .join(blocks, 'b', { 'b.blocked_id': raw('u.id') })
    .orderBy({ [raw('b.created_at')]: 'desc' })
    .getResultList();
  return { items: blocked.map(publicUserOf) };
}
