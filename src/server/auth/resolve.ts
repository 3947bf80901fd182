import type { IncomingHttpHeaders } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { User } from '../db/entities/index.ts';
import type { CredentialOwner } from '../db/statements/auth.ts';
import type { Deps } from '../deps.ts';
import type { PendingRead } from '../remembered.ts';
import type { AuthUser } from '../views/people.ts';
import { apiTokenPrefix, verifyApiToken } from './api-tokens.ts';
import { readCookie, sessionCookie, sessionCookieName } from './cookies.ts';
import type { CredentialMemory, Known } from './credential-cache.ts';
import type { CredentialRead } from './credential-reads.ts';
import { toCurrentUser } from './current-users.ts';
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

/** What a request's headers sign in with: a bearer token first, else the session cookie; null for neither. */
export function credentialsOf(headers: IncomingHttpHeaders): Credentials | null {
  const bearer = bearerToken(headers);
  if (bearer) return { kind: 'token', token: bearer };
  const cookie = cookieToken(headers);
  return cookie ? { kind: 'cookie', token: cookie } : null;
}

export interface Resolved {
  auth: Auth | null;
  /** A Set-Cookie value when the session slid forward and the browser should keep it longer. */
  renewedCookie: string | null;
}

/** What resolving a credential uses of the server's dependencies. */
export type CredentialDeps = Pick<
  Deps,
  'config' | 'currentUsers' | 'credentialCache' | 'credentialReads' | 'recentUse'
>;

export async function resolveCredentials(
  em: EntityManager,
  deps: CredentialDeps,
  credentials: Credentials,
): Promise<Resolved> {
  return credentials.kind === 'token'
    ? resolveApiToken(deps, credentials.token)
    : resolveSession(em, deps, credentials.token);
}

const nobody: Resolved = { auth: null, renewedCookie: null };

/** The session (with its owner): remembered, or one query. A banned user has no credential that works. */
async function resolveSession(em: EntityManager, deps: CredentialDeps, token: string): Promise<Resolved> {
  const parsed = parseToken(token);
  if (!parsed) return nobody;
  const { credentialCache, credentialReads } = deps;
  const found = await findCredential(deps, credentialCache.sessions, parsed.id, credentialReads.sessions);
  if (!found) return nobody;
  const { config } = deps;
  const verdict = await verifySession(em, found.known.stored, parsed.secret, { ttlMs: config.sessionTtlMs });
  if (!verdict) return nobody;
  found.remember();
  const user = await deps.currentUsers.get(found.known.userId);
  if (!user || isBanned(user)) return nobody;
  return {
    auth: { user, sessionId: parsed.id, tokenId: null, sessionExpiresAt: verdict.expiresAt },
    renewedCookie: verdict.renewed
      ? sessionCookie(token, verdict.expiresAt, { secure: config.cookieSecure })
      : null,
  };
}

/** The API token (with its owner): remembered, or one query. */
async function resolveApiToken(deps: CredentialDeps, token: string): Promise<Resolved> {
  const parsed = parseToken(token, apiTokenPrefix);
  if (!parsed) return nobody;
  const { credentialCache, credentialReads } = deps;
  const found = await findCredential(deps, credentialCache.tokens, parsed.id, credentialReads.tokens);
  if (!found) return nobody;
  if (!verifyApiToken(deps.recentUse, found.known.stored, parsed.secret)) return nobody;
  found.remember();
  const user = await deps.currentUsers.get(found.known.userId);
  if (!user || isBanned(user)) return nobody;
  return { auth: { user, sessionId: null, tokenId: parsed.id, sessionExpiresAt: null }, renewedCookie: null };
}

/**
 * The credential from this instance's memory, or read with its owner (who is then remembered as a current user).
 * `remember` keeps a credential read afresh, once its secret proved right.
 */
async function findCredential<Stored extends { id: string }>(
  deps: CredentialDeps,
  memory: CredentialMemory<Stored>,
  id: string,
  read: CredentialRead<Stored & { user: CredentialOwner }>,
): Promise<FoundCredential<Stored> | null> {
  const remembered = memory.get(id);
  if (remembered) return new FoundCredential(id, remembered, null);
  const owner = deps.currentUsers.startRead();
  const credential = memory.startRead();
  const row = await read(id);
  if (!row) return null;
  const user = toCurrentUser(row.user);
  owner.remember(user.id, user);
  // Who the owner is now comes from `currentUsers` on every call; the row's copy of them is not read again.
  return new FoundCredential(id, { stored: row, userId: user.id }, credential);
}

/** A credential found, and, when it was read afresh, the read that keeps it once its secret proved right. */
class FoundCredential<Stored extends { id: string }> {
  constructor(
    private readonly id: string,
    readonly known: Known<Stored>,
    private readonly read: PendingRead<string, Known<Stored>> | null,
  ) {}

  remember(): void {
    this.read?.remember(this.id, this.known);
  }
}

export const isBanned = <T extends Pick<User, 'bannedUntil'>>(user: T): user is T & { bannedUntil: Date } =>
  user.bannedUntil !== null && user.bannedUntil !== undefined && user.bannedUntil.getTime() > Date.now();
