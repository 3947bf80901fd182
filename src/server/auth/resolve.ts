import type { IncomingHttpHeaders } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { avatarUrl } from '../../shared/avatars.ts';
import type { Config } from '../config.ts';
import type { User } from '../db/entities/index.ts';
import { queryOne, sql } from '../db/sql.ts';
import { apiTokenPrefix, verifyApiToken } from './api-tokens.ts';
import { readCookie, sessionCookie, sessionCookieName } from './cookies.ts';
import {
  type CurrentUserRow,
  type CurrentUsers,
  currentUserColumns,
  toCurrentUser,
} from './current-users.ts';
import { parseToken } from './secrets.ts';
import { verifySession } from './sessions.ts';

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
  users: CurrentUsers,
  credentials: Credentials,
): Promise<Resolved> {
  return credentials.kind === 'token'
    ? resolveApiToken(em, users, credentials.token)
    : resolveSession(em, config, users, credentials.token);
}

const nobody: Resolved = { auth: null, renewedCookie: null };

interface SessionRow extends CurrentUserRow {
  secret_hash: Uint8Array;
  expires_at: string | Date;
  last_verified_at: string | Date;
}

/** One query: the session with its user. A banned user has no credential that works (a ban deletes them too). */
async function resolveSession(em: EntityManager, config: Config, users: CurrentUsers, token: string) {
  const parsed = parseToken(token);
  if (!parsed) return nobody;
  const read = users.startRead();
  const row = await queryOne<SessionRow>(
    em,
    sql`select s.secret_hash, s.expires_at, s.last_verified_at, ${currentUserColumns}
      from sessions s join users u on u.id = s.user_id where s.id = ${parsed.id}`,
  );
  if (!row) return nobody;
  const stored = {
    id: parsed.id,
    secretHash: row.secret_hash,
    expiresAt: new Date(row.expires_at),
    lastVerifiedAt: new Date(row.last_verified_at),
  };
  const verdict = await verifySession(em, stored, parsed.secret, { ttlMs: config.sessionTtlMs });
  if (!verdict) return nobody;
  const user = toCurrentUser(row);
  read.remember(user.id, user);
  if (isBanned(user)) return nobody;
  return {
    auth: { user, sessionId: parsed.id, tokenId: null, sessionExpiresAt: verdict.expiresAt },
    renewedCookie: verdict.renewed
      ? sessionCookie(token, verdict.expiresAt, { secure: config.cookieSecure })
      : null,
  };
}

interface ApiTokenRow extends CurrentUserRow {
  secret_hash: Uint8Array;
  last_used_at: string | Date | null;
}

/** One query: the API token with its user. */
async function resolveApiToken(em: EntityManager, users: CurrentUsers, token: string): Promise<Resolved> {
  const parsed = parseToken(token, apiTokenPrefix);
  if (!parsed) return nobody;
  const read = users.startRead();
  const row = await queryOne<ApiTokenRow>(
    em,
    sql`select t.secret_hash, t.last_used_at, ${currentUserColumns}
      from api_tokens t join users u on u.id = t.user_id where t.id = ${parsed.id}`,
  );
  if (!row) return nobody;
  const lastUsedAt = row.last_used_at === null ? null : new Date(row.last_used_at);
  if (
    !(await verifyApiToken(em, { id: parsed.id, secretHash: row.secret_hash, lastUsedAt }, parsed.secret))
  ) {
    return nobody;
  }
  const user = toCurrentUser(row);
  read.remember(user.id, user);
  if (isBanned(user)) return nobody;
  return { auth: { user, sessionId: null, tokenId: parsed.id, sessionExpiresAt: null }, renewedCookie: null };
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
