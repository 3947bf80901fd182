import type { IncomingHttpHeaders } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { User } from '../db/entities/index.ts';
import { apiTokenWithOwner, sessionWithOwner } from '../db/statements/auth.ts';
import type { AuthUser } from '../views/people.ts';
import { apiTokenPrefix, verifyApiToken } from './api-tokens.ts';
import { readCookie, sessionCookie, sessionCookieName } from './cookies.ts';
import { type CurrentUsers, toCurrentUser } from './current-users.ts';
import { parseToken } from './secrets.ts';
import { verifySession } from './sessions.ts';

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
  users: CurrentUsers,
  credentials: Credentials,
): Promise<Resolved> {
  return credentials.kind === 'token'
    ? resolveApiToken(em, users, credentials.token)
    : resolveSession(em, config, users, credentials.token);
}

const nobody: Resolved = { auth: null, renewedCookie: null };

/** One query: the session with its user. A banned user has no credential that works (a ban deletes them too). */
async function resolveSession(em: EntityManager, config: Config, users: CurrentUsers, token: string) {
  const parsed = parseToken(token);
  if (!parsed) return nobody;
  const read = users.startRead();
  const session = await sessionWithOwner(em, parsed.id);
  if (!session) return nobody;
  const verdict = await verifySession(em, session, parsed.secret, { ttlMs: config.sessionTtlMs });
  if (!verdict) return nobody;
  const user = toCurrentUser(session.user);
  read.remember(user.id, user);
  if (isBanned(user)) return nobody;
  return {
    auth: { user, sessionId: parsed.id, tokenId: null, sessionExpiresAt: verdict.expiresAt },
    renewedCookie: verdict.renewed
      ? sessionCookie(token, verdict.expiresAt, { secure: config.cookieSecure })
      : null,
  };
}

/** One query: the API token with its user. */
async function resolveApiToken(em: EntityManager, users: CurrentUsers, token: string): Promise<Resolved> {
  const parsed = parseToken(token, apiTokenPrefix);
  if (!parsed) return nobody;
  const read = users.startRead();
  const stored = await apiTokenWithOwner(em, parsed.id);
  if (!stored || !(await verifyApiToken(em, stored, parsed.secret))) return nobody;
  const user = toCurrentUser(stored.user);
  read.remember(user.id, user);
  if (isBanned(user)) return nobody;
  return { auth: { user, sessionId: null, tokenId: parsed.id, sessionExpiresAt: null }, renewedCookie: null };
}

export const isBanned = <T extends Pick<User, 'bannedUntil'>>(user: T): user is T & { bannedUntil: Date } =>
  user.bannedUntil !== null && user.bannedUntil !== undefined && user.bannedUntil.getTime() > Date.now();
