import type { WebSocket } from 'ws';
import { socketCloseCodes } from '../../shared/socket.ts';
import type { Deps } from '../deps.ts';
import { endSessions } from '../services/session-events.ts';
import type { Auth } from './resolve.ts';
import { validateSessionToken } from './sessions.ts';

/** Gives `auth.onSession` a moment to tell the tab why before the socket goes. */
const closeDelayMs = 200;
const recheckEveryMs = 60 * 60 * 1000;
/** After a failed check (the database did not answer), the next try waits this long, doubling up to the cap. */
const retryFirstMs = 5_000;
const retryMostMs = 5 * 60 * 1000;

/**
 * A socket's context lives as long as the connection, so the socket must end when its session does: on a logout,
 * password change or ban (announced on the bus by whichever instance did it) and when the session expires.
 */
export function guardSocket(deps: Deps, socket: WebSocket, auth: Auth, sessionToken: string | null): void {
  const close = () =>
    setTimeout(() => socket.close(socketCloseCodes.sessionEnded, 'Session ended'), closeDelayMs);
  // An ending announced by any instance reaches this socket through the instance's one list of open credentials;
  // should the bus drop that news, the instance asks the database once it hears again.
  const forgetCredential = deps.openCredentials.add({
    userId: auth.user.id,
    sessionId: auth.sessionId,
    tokenId: auth.tokenId,
    end: () => {
      auth.revoked = true;
      close();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const recheck = async (retryMs: number) => {
    let verdict: Awaited<ReturnType<typeof validateSessionToken>>;
    try {
      verdict = await validateSessionToken(deps.orm.em.fork(), sessionToken ?? '', {
        ttlMs: deps.config.sessionTtlMs,
      });
    } catch (cause) {
      // A dependency failing says nothing about the session: keep the socket, and ask again later.
      deps.log.warn('Could not re-check a session; will try again', { userId: auth.user.id, retryMs, cause });
      if (socket.readyState === socket.OPEN)
        timer = setTimeout(() => recheck(Math.min(retryMs * 2, retryMostMs)), retryMs);
      return;
    }
    if (verdict) schedule(verdict.expiresAt);
    else await announceExpiry();
  };
  // Every socket and tab of the session hears it, on every instance; if the bus cannot say so, this socket ends at
  // least.
  const announceExpiry = () =>
    endSessions(deps, auth.user.id, { reason: 'expired', sessionIds: [auth.sessionId ?? ''] }).catch(
      (cause) => {
        deps.log.warn('Could not announce an expired session', { userId: auth.user.id, cause });
        auth.revoked = true;
        close();
      },
    );
  const schedule = (expiresAt: Date) => {
    const wait = Math.max(1000, Math.min(expiresAt.getTime() - Date.now(), recheckEveryMs));
    timer = setTimeout(() => recheck(retryFirstMs), wait);
  };
  if (sessionToken && auth.sessionExpiresAt) schedule(auth.sessionExpiresAt);
  socket.once('close', () => {
    forgetCredential();
    clearTimeout(timer);
  });
}
