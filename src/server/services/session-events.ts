import type { Auth } from '../auth/resolve.ts';
import type { Deps } from '../deps.ts';

/** Published on a user's channel when some of their credentials stop being valid, on whichever instance. */
export interface SessionEndedEvent {
  type: 'session.ended';
  reason: 'logout' | 'password-changed' | 'token-revoked' | 'expired' | 'banned';
  sessionIds?: string[];
  tokenIds?: string[];
  /** Every session and token of the user. */
  all?: boolean;
}

export const userChannel = (userId: number) => `user:${userId}`;

/**
 * Tells every instance, so each forgets those credentials (no call is let in with them any more) and closes the
 * sockets that ran on them.
 */
export async function endSessions(
  deps: Deps,
  userId: number,
  event: Omit<SessionEndedEvent, 'type'>,
): Promise<void> {
  const { sessionIds, tokenIds, all } = event;
  await deps.credentialCache.ended({ userId, sessionIds, tokenIds, all });
  await deps.bus.publish(userChannel(userId), {
    type: 'session.ended',
    ...event,
  } satisfies SessionEndedEvent);
}

export function isSessionEnded(message: unknown): message is SessionEndedEvent {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'session.ended'
  );
}

/** Whether an ending (a `session.ended` event, or `credentials.ended`) ends this credential: a caller's, a socket's. */
export function endsCredential(
  event: Pick<SessionEndedEvent, 'all' | 'sessionIds' | 'tokenIds'>,
  credential: Pick<Auth, 'sessionId' | 'tokenId'>,
): boolean {
  if (event.all) return true;
  if (credential.sessionId && event.sessionIds?.includes(credential.sessionId)) return true;
  return Boolean(credential.tokenId && event.tokenIds?.includes(credential.tokenId));
}

/**
 * Published on a user's channel when their role, profile or mute changed, so their open tabs read `auth.me` and
 * `chat.muteStatus` again.
 */
export interface AccountChangedEvent {
  type: 'account.changed';
}

export function isAccountChanged(message: unknown): message is AccountChangedEvent {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'account.changed'
  );
}
