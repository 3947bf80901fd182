import type { WebSocket } from 'ws';
import { socketCloseCodes } from '../../shared/socket.ts';
import type { Deps } from '../deps.ts';
import { endsCredential, isSessionEnded, userChannel } from '../services/session-events.ts';
import type { Auth } from './resolve.ts';
import { validateSessionToken } from './sessions.ts';

/** Gives `auth.onSession` a moment to tell the tab why before the socket goes. */
const closeDelayMs = 200;
const recheckEveryMs = 60 * 60 * 1000;

/**
 * A socket's context lives as long as the connection, so the socket must end when its session does: on a logout,
 * password change or ban (announced on the bus by whichever instance did it) and when the session expires.
 */
export function guardSocket(deps: Deps, socket: WebSocket, auth: Auth, sessionToken: string | null): void {
  const close = () =>
    setTimeout(() => socket.close(socketCloseCodes.sessionEnded, 'Session ended'), closeDelayMs);
  const unsubscribe = deps.bus.subscribe(userChannel(auth.user.id), (message) => {
    if (isSessionEnded(message) && endsCredential(message, auth)) {
      auth.revoked = true;
      close();
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const scheduleRecheck = (expiresAt: Date) => {
    const wait = Math.max(1000, Math.min(expiresAt.getTime() - Date.now(), recheckEveryMs));
    timer = setTimeout(async () => {
      const result = await validateSessionToken(deps.orm.em.fork(), sessionToken ?? '', {
        ttlMs: deps.config.sessionTtlMs,
      }).catch(() => null);
      if (result) scheduleRecheck(result.session.expiresAt);
      else {
        await deps.bus.publish(userChannel(auth.user.id), {
          type: 'session.ended',
          reason: 'expired',
          sessionIds: [auth.sessionId ?? ''],
        });
      }
    }, wait);
  };
  if (sessionToken && auth.sessionExpiresAt) scheduleRecheck(auth.sessionExpiresAt);
  socket.once('close', () => {
    unsubscribe();
    clearTimeout(timer);
  });
}
