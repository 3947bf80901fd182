import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { TRPCError } from '@trpc/server';
import type { CreateWSSContextFnOptions } from '@trpc/server/adapters/ws';
import { blankSessionCookie } from './auth/cookies.ts';
import { isSameOriginOrScript } from './auth/origin.ts';
import { type Auth, bearerToken, type Credentials, cookieToken, resolveCredentials } from './auth/resolve.ts';
import { guardSocket } from './auth/socket-guard.ts';
import type { Deps } from './deps.ts';
import type { ParleySocket } from './realtime/socket.ts';

/** A socket's own state, alive as long as the connection. */
export interface SocketConnection {
  socket: ParleySocket;
  /** Live subscriptions on this socket (bounded by WS_MAX_SUBSCRIPTIONS_PER_SOCKET). */
  subscriptions: number;
  /** Rooms this socket follows with `chat.onRoomEvent`: each at most once. */
  rooms: Set<number>;
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
}

/** The context without a transport: tests call procedures through `createCaller` with this. */
export function createContextInner(deps: Deps, auth: Auth | null, overrides: Partial<Context> = {}): Context {
  return {
    deps,
    auth,
    ip: '127.0.0.1',
    originAllowed: true,
    transport: 'http',
    setCookie: () => {},
    connection: null,
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

/** "Last seen" for the admin table: written when a socket closes (logins write it too). */
async function markSeen(deps: Deps, userId: number): Promise<void> {
  await deps.orm.em
    .fork()
    .execute('update users set last_seen_at = now() where id = ?', [userId])
    .catch((cause) => deps.log.warn('Could not record last seen', { userId, cause }));
}

const invalidToken = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'That API token is not valid.' });

export function createHttpContextFactory(deps: Deps) {
  return async ({ req, res }: { req: IncomingMessage; res: ServerResponse }): Promise<Context> => {
    const setCookie = (value: string) => res.appendHeader('Set-Cookie', value);
    const em = deps.orm.em.fork();
    const bearer = bearerToken(req.headers);
    const cookie = cookieToken(req.headers);
    let auth: Auth | null = null;
    if (bearer !== null) {
      auth = (await resolveCredentials(em, deps.config, deps.currentUsers, { kind: 'token', token: bearer }))
        .auth;
      if (!auth) throw invalidToken();
    } else if (cookie) {
      const resolved = await resolveCredentials(em, deps.config, deps.currentUsers, {
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
    });
  };
}

/**
 * Runs once per socket, after the upgrade (whose Origin and header token were checked already) and after the
 * client's connectionParams. A token there that fails gets UNAUTHORIZED, and tRPC closes the socket.
 */
/** Counts open sockets per key and refuses one over the limit; the returned function releases the slot. */
function socketCounter(limit: () => number, refusal: (open: number) => string) {
  const open = new Map<string, number>();
  return (key: string) => {
    const count = open.get(key) ?? 0;
    if (count >= limit()) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: refusal(count) });
    open.set(key, count + 1);
    return () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    };
  };
}

/** Who a header token on a socket's upgrade request belongs to, resolved once at the upgrade. */
const upgradeAuth = new WeakMap<IncomingMessage, Auth>();

export function rememberUpgradeAuth(req: IncomingMessage, auth: Auth): void {
  upgradeAuth.set(req, auth);
}

export function createWsContextFactory(deps: Deps) {
  const { limits } = deps.config;
  const admitUser = socketCounter(
    () => limits.wsMaxConnectionsPerUser,
    (open) => `You have ${open} connections open, the most allowed. Close a tab and try again.`,
  );
  const admitAnonymous = socketCounter(
    () => limits.wsMaxAnonymousPerIp,
    (open) => `${open} signed-out connections are open from your address, the most allowed.`,
  );
  return async ({ req, res: socket, info }: CreateWSSContextFnOptions): Promise<Context> => {
    const paramsToken = info.connectionParams?.token;
    const bearer = bearerToken(req.headers);
    const cookie = cookieToken(req.headers);
    const credentials: Credentials | null = paramsToken
      ? { kind: 'token', token: paramsToken }
      : bearer
        ? { kind: 'token', token: bearer }
        : cookie
          ? { kind: 'cookie', token: cookie }
          : null;
    // A header token was checked at the upgrade a moment ago: no second look-up for it.
    const known = credentials && !paramsToken && bearer ? upgradeAuth.get(req) : undefined;
    const auth =
      known ??
      (credentials &&
        (await resolveCredentials(deps.orm.em.fork(), deps.config, deps.currentUsers, credentials)).auth);
    if (credentials?.kind === 'token' && !auth) throw invalidToken();
    const ip = clientIp(req, deps.config.trustProxy);
    if (!auth) socket.once('close', admitAnonymous(ip));
    if (auth) {
      const release = admitUser(String(auth.user.id));
      guardSocket(deps, socket, auth, credentials?.kind === 'cookie' ? credentials.token : null);
      const leave = deps.presence.connect(auth.user.id);
      socket.once('close', () => {
        release();
        leave();
        void markSeen(deps, auth.user.id);
      });
    }
    return createContextInner(deps, auth, {
      ip,
      originAllowed: true,
      transport: 'ws',
      connection: { socket: socket as ParleySocket, subscriptions: 0, rooms: new Set() },
    });
  };
}
