import { friendshipsOf } from '../db/statements/friends.ts';
import type { Deps } from '../deps.ts';
import type { UserEvent } from './notifications.ts';
import { userChannel } from './session-events.ts';

/** Adds `online` to each user, from the presence of every instance. */
export async function withOnline<T extends { id: number }>(
  deps: Deps,
  users: T[],
): Promise<(T & { online: boolean })[]> {
  const online = await deps.presence.online(users.map((u) => u.id));
  return users.map((user) => ({ ...user, online: online.has(user.id) }));
}

/**
 * Tells each person's friends when they come online or go offline. Only the instance where the change happened
 * acts on it, so friends hear it once; only friends hear it at all.
 */
export function startFriendPresence(deps: Deps): () => Promise<void> {
  const running = new Set<Promise<void>>();
  const unsubscribe = deps.presence.onChange((members, here) => {
    if (!here || members.length === 0) return;
    const announcement = announce(deps, members)
      .catch((cause) => deps.log.error('Presence announcement failed', { cause }))
      .finally(() => running.delete(announcement));
    running.add(announcement);
  });
  // On shutdown: stop listening, then let announcements under way finish before Redis closes.
  return async () => {
    unsubscribe();
    await Promise.all(running);
  };
}

async function announce(deps: Deps, members: number[]): Promise<void> {
  const online = await deps.presence.online(members);
  // Every member's friendships in one query, not one per member; sorted by member in one pass over them, since
  // after a restart one announcement holds thousands of members, and a scan of every pair per member was quadratic.
  const pairs = await friendshipsOf(deps.orm.em.fork(), members);
  const friendsOf = new Map<number, number[]>(members.map((member) => [member, []]));
  for (const { userLow, userHigh } of pairs) {
    friendsOf.get(userLow)?.push(userHigh);
    friendsOf.get(userHigh)?.push(userLow);
  }
  for (const [userId, friends] of friendsOf) {
    const event: UserEvent = { type: 'friend.presence', userId, online: online.has(userId) };
    await Promise.all(friends.map((friend) => deps.bus.publish(userChannel(friend), event)));
  }
}
