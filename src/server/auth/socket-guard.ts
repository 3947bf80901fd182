import type { WebSocket } from 'ws';
import { socketCloseCodes } from '../../shared/socket.ts';
import type { Deps } from '../deps.ts';
import { endSessions } from '../services/session-events.ts';
import type { OpenCredential } from './open-credentials.ts';
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
  const guard = new SocketGuard(deps, socket, auth, sessionToken);
  socket.once('close', () => guard.stop());
}

/**
 * One socket's guard, as an object rather than closures: it lives as long as the socket, and each named closure
 * would carry a property table of its own (tsx keeps function names), ~250 B apiece per socket.
 */
class SocketGuard implements OpenCredential {
  readonly userId: number;
  readonly sessionId: string | null;
  readonly tokenId: string | null;
  private timer: NodeJS.Timeout | undefined;
  private readonly forget: () => void;

  constructor(
    private readonly deps: Deps,
    private readonly socket: WebSocket,
    private readonly auth: Auth,
    private readonly sessionToken: string | null,
  ) {
    this.userId = auth.user.id;
    this.sessionId = auth.sessionId;
    this.tokenId = auth.tokenId;
    // An ending announced by any instance reaches this socket through the instance's one list of open
    // credentials; should the bus drop that news, the instance asks the database once it hears again.
    this.forget = deps.openCredentials.add(this);
    if (sessionToken && auth.sessionExpiresAt) this.schedule(auth.sessionExpiresAt);
  }

  /** The credential ended: the socket acts no more, and closes once `auth.onSession` has told the tab why. */
  end(): void {
    this.auth.revoked = true;
    this.close();
  }

  stop(): void {
    this.forget();
    clearTimeout(this.timer);
  }

  private close(): void {
    setTimeout(() => this.socket.close(socketCloseCodes.sessionEnded, 'Session ended'), closeDelayMs);
  }

  private schedule(expiresAt: Date): void {
    const wait = Math.max(1000, Math.min(expiresAt.getTime() - Date.now(), recheckEveryMs));
    this.timer = setTimeout(() => this.recheck(retryFirstMs), wait);
  }

  private async recheck(retryMs: number): Promise<void> {
    const { deps, auth } = this;
    let verdict: Awaited<ReturnType<typeof validateSessionToken>>;
    try {
      verdict = await validateSessionToken(deps.orm.em.fork(), this.sessionToken ?? '', {
        ttlMs: deps.config.sessionTtlMs,
      });
    } catch (cause) {
      // A dependency failing says nothing about the session: keep the socket, and ask again later.
      deps.log.warn('Could not re-check a session; will try again', { userId: auth.user.id, retryMs, cause });
      if (this.socket.readyState === this.socket.OPEN)
        this.timer = setTimeout(() => this.recheck(Math.min(retryMs * 2, retryMostMs)), retryMs);
      return;
    }
    if (verdict) this.schedule(verdict.expiresAt);
    else await this.announceExpiry();
  }

  /** Every socket and tab of the session hears it, on every instance; if the bus cannot say so, this one ends. */
  private async announceExpiry(): Promise<void> {
    const { deps, auth } = this;
    await endSessions(deps, auth.user.id, { reason: 'expired', sessionIds: [auth.sessionId ?? ''] }).catch(
      (cause) => {
        deps.log.warn('Could not announce an expired session', { userId: auth.user.id, cause });
        auth.revoked = true;
        this.close();
      },
    );
  }
}
