import type { IncomingHttpHeaders } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { avatarUrl } from '../../shared/avatars.ts';
import type { Config } from '../config.ts';
import { User } from '../db/entities/index.ts';
import { validateApiToken } from './api-tokens.ts';
import { readCookie, sessionCookie, sessionCookieName } from './cookies.ts';
import { validateSessionToken } from './sessions.ts';

export interface AuthUser {
  id: number;
  username: string;
  displayName: string;
  email: string;
  role: User['role'];
  avatarUrl: string | null;
}

/** Who is calling, and through which credential: a session (browser) or a personal token (script). */
export interface Auth {
  user: AuthUser;
  sessionId: string | null;
  tokenId: string | null;
  sessionExpiresAt: Date | null;
  /** Set on a socket's auth the moment its credential ends (logout, ban…), before the socket closes. */
  revoked?: boolean;
}

export type Credentials = { kind: 'cookie'; token: string } | { kind: 'token'; token: string };

export function bearerToken(headers: IncomingHttpHeaders): string | null {
  const header = headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? '';
}

export function cookieToken(headers: IncomingHttpHeaders): string | null {
  return readCookie(headers.cookie, sessionCookieName);
}

export interface Resolved {
  auth: Auth | null;
  /** A Set-Cookie value when the session slid forward and the browser should keep it longer. */
  renewedCookie: string | null;
}

export async function resolveCredentials(
  em: EntityManager,
  config: Config,
  credentials: Credentials,
): Promise<Resolved> {
  if (credentials.kind === 'token') {
    const token = await validateApiToken(em, credentials.token);
    if (!token) return { auth: null, renewedCookie: null };
    const user = await loadUser(em, token.userId);
    return {
      auth: user && { user, sessionId: null, tokenId: token.id, sessionExpiresAt: null },
      renewedCookie: null,
    };
  }
  const result = await validateSessionToken(em, credentials.token, { ttlMs: config.sessionTtlMs });
  if (!result) return { auth: null, renewedCookie: null };
  const user = await loadUser(em, result.session.userId);
  const { session } = result;
  return {
    auth: user && { user, sessionId: session.id, tokenId: null, sessionExpiresAt: session.expiresAt },
    renewedCookie: result.renewed
      ? sessionCookie(credentials.token, session.expiresAt, { secure: config.cookieSecure })
      : null,
  };
}

/** The user behind a credential; a banned user has none that work (a ban also deletes them, this is the backstop). */
export async function loadUser(em: EntityManager, id: number): Promise<AuthUser | null> {
  const user = await em.findOne(User, { id });
  if (!user || isBanned(user)) return null;
  return toAuthUser(user);
}

export const isBanned = (user: Pick<User, 'bannedUntil'>) =>
  user.bannedUntil !== null && user.bannedUntil !== undefined && user.bannedUntil.getTime() > Date.now();

export function toAuthUser(user: User): AuthUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    role: user.role,
    avatarUrl: avatarUrl(user.id, user.avatarVersion),
  };
}
