import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { TRPCRequestInfo } from '@trpc/server/http';
import { blankSessionCookie } from './auth/cookies.ts';
import { isSameOriginOrScript } from './auth/origin.ts';
import { type Auth, bearerToken, cookieToken, resolveCredentials } from './auth/resolve.ts';
import { guardSocket } from './auth/socket-guard.ts';
import { forkOnUse } from './db/orm.ts';
import type { Deps } from './deps.ts';
import type { SocketAdmission } from './http/socket-admission.ts';
import { CallBudget } from './realtime/call-budget.ts';
import type { ParleySocket } from './realtime/socket.ts';
import type { SocketContextOptions } from './realtime/trpc-connection.ts';

/** A socket's own state, alive as long as the connection. */
export interface SocketConnection {
  socket: ParleySocket;
  /** Live subscriptions on this socket (bounded by WS_MAX_SUBSCRIPTIONS_PER_SOCKET). */
  subscriptions: number;
  /** Rooms this socket follows with `chat.onRoomEvent`: each at most once. */
  rooms: Set<number>;
  /** Calls this socket may still make (WS_CALLS_PER_MINUTE). */
  calls: CallBudget;
}

export interface Context {
  deps: Deps;
  auth: Auth | null;
  ip: string;
  /** False when the request came from a foreign origin: mutations are then refused (CSRF). */
  originAllowed: boolean;
  transport: 'http' | 'ws';
  /** Adds a Set-Cookie header to the HTTP response; a no-op on a socket. */
  setCookie(value: string): void;
  /** Per-socket state; null over HTTP. */
  connection: SocketConnection | null;
  /** An HTTP request's entity manager, for its one call; null on a socket, whose calls each get their own. */
  em: EntityManager | null;
}

/** A socket sets no cookie. Made once: a closure made per context would live as long as its socket. */
const noCookie = (): void => {};

/** The context both transports build on: what differs between HTTP and a socket comes in `overrides`. */
function createContextInner(deps: Deps, auth: Auth | null, overrides: Partial<Context> = {}): Context {
  return {
    deps,
    auth,
    ip: '127.0.0.1',
    originAllowed: true,
    transport: 'http',
    setCookie: noCookie,
    connection: null,
    em: null,
    ...overrides,
  };
}

export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  // The right-most entry is the one our proxy added; those to its left are whatever the client claimed.
  const forwarded = trustProxy
    ? String(req.headers['x-forwarded-for'] ?? '')
        .split(',')
        .at(-1)
        ?.trim()
    : '';
  return forwarded || req.socket.remoteAddress || 'unknown';
}

export function originAllowed(deps: Deps, req: IncomingMessage): boolean {
  const { allowedOrigins, trustProxy } = deps.config;
  return isSameOriginOrScript(
    req.headers,
    Boolean((req.socket as TLSSocket).encrypted),
    allowedOrigins,
    trustProxy,
  );
}

const invalidToken = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'That API token is not valid.' });

export function createHttpContextFactory(deps: Deps) {
  return async ({
    req,
    res,
    info,
  }: {
    req: IncomingMessage;
    res: ServerResponse;
    info: Pick<TRPCRequestInfo, 'isBatchCall'>;
  }): Promise<Context> => {
    // Bound rather than an arrow: the build names every arrow it assigns (keepNames), a property write per request.
    const setCookie: (value: string) => void = res.appendHeader.bind(res, 'Set-Cookie');
    // Forked on first use, as on a socket: a call whose credentials are remembered may never need one.
    const em = forkOnUse(deps.orm);
    const bearer = bearerToken(req.headers);
    const cookie = cookieToken(req.headers);
    let auth: Auth | null = null;
    if (bearer !== null) {
      auth = (await resolveCredentials(em, deps, { kind: 'token', token: bearer })).auth;
      if (!auth) throw invalidToken();
    } else if (cookie) {
      const resolved = await resolveCredentials(em, deps, {
        kind: 'cookie',
        token: cookie,
      });
      auth = resolved.auth;
      if (!auth) setCookie(blankSessionCookie({ secure: deps.config.cookieSecure }));
      if (resolved.renewedCookie) setCookie(resolved.renewedCookie);
    }
    return createContextInner(deps, auth, {
      ip: clientIp(req, deps.config.trustProxy),
      originAllowed: originAllowed(deps, req),
      setCookie,
      // Calls batched in one request run side by side: each gets an entity manager of its own.
      em: info.isBatchCall ? null : em,
    });
  };
}

/** Who a socket's upgrade request is signed in as by its headers (token or cookie), resolved once at the upgrade. */
const upgradeAuth = new WeakMap<IncomingMessage, Auth>();

export function rememberUpgradeAuth(req: IncomingMessage, auth: Auth): void {
  upgradeAuth.set(req, auth);
}

export function upgradeSignedIn(req: IncomingMessage): boolean {
  return upgradeAuth.has(req);
}

/**
 * Runs once per socket, after the upgrade (whose Origin and header credentials were checked already) and after the
 * client's connectionParams. A token there that fails gets UNAUTHORIZED, and the socket is closed with 4401.
 */
export function createWsContextFactory(deps: Deps, admission: SocketAdmission) {
  const { limits } = deps.config;
  return async ({ req, socket, connectionParams }: SocketContextOptions): Promise<Context> => {
    admission.paramsArrived(socket);
    if (socket.readyState !== socket.OPEN) {
      throw new TRPCError({ code: 'CLIENT_CLOSED_REQUEST', message: 'This connection is closing.' });
    }
    const paramsToken = connectionParams?.token;
    const auth = paramsToken
      ? (
          await resolveCredentials(forkOnUse(deps.orm), deps, {
            kind: 'token',
            token: paramsToken,
          })
        ).auth
      : (upgradeAuth.get(req) ?? null);
    if (paramsToken && !auth) admission.refuseCredentials(socket, invalidToken());
    const ip = clientIp(req, deps.config.trustProxy);
    if (auth) {
      const release = admission.signedIn(socket, auth.user.id);
      guardSocket(deps, socket, auth, auth.sessionId ? cookieToken(req.headers) : null);
      const leave = deps.presence.connect(auth.user.id);
      socket.once('close', () => {
        release();
        leave();
        // "Last seen" for the admin table: written when a socket closes (logins write it too).
        deps.recentUse.userSeen(auth.user.id);
      });
    }
    return createContextInner(deps, auth, {
      ip,
      originAllowed: true,
      transport: 'ws',
      connection: {
        socket: socket as ParleySocket,
        subscriptions: 0,
        rooms: new Set(),
        calls: new CallBudget(limits.wsCallsPerMinute),
      },
    });
  };
}
