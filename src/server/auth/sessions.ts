import type { EntityManager } from '@mikro-orm/postgresql';
import { Session } from '../db/entities/index.ts';
import { issueToken, parseToken, secretMatches } from './secrets.ts';

/** Sliding renewal writes the database at most once per interval (Lucia's recipe). */
const renewEveryMs = 60 * 60 * 1000;

export interface SessionPolicy {
  ttlMs: number;
}

export async function createSession(
  em: EntityManager,
  userId: number,
  policy: SessionPolicy,
): Promise<{ token: string; session: Session }> {
  const { id, token, secretHash } = issueToken();
  const now = new Date();
  const session = em.create(Session, {
    id,
    user: userId,
    secretHash,
    createdAt: now,
    lastVerifiedAt: now,
    expiresAt: new Date(now.getTime() + policy.ttlMs),
  });
  await em.flush();
  return { token, session };
}

/** A session row as a credential look-up reads it. */
export type StoredSession = Pick<Session, 'id' | 'secretHash' | 'expiresAt' | 'lastVerifiedAt'>;

export interface SessionVerdict {
  expiresAt: Date;
  /** True when the session slid forward just now (the browser should get its cookie again). */
  renewed: boolean;
}

/** Whether a stored session lets this secret in now: an expired one is deleted, a due one slides forward. */
export async function verifySession(
  em: EntityManager,
  session: StoredSession,
  secret: string,
  policy: SessionPolicy,
): Promise<SessionVerdict | null> {
  if (!secretMatches(secret, session.secretHash)) return null;
  const now = Date.now();
  if (session.expiresAt.getTime() <= now) {
    await deleteSession(em, session.id);
    return null;
  }
  if (now - session.lastVerifiedAt.getTime() < renewEveryMs)
    return { expiresAt: session.expiresAt, renewed: false };
  const expiresAt = new Date(now + policy.ttlMs);
  await em.nativeUpdate(Session, { id: session.id }, { lastVerifiedAt: new Date(now), expiresAt });
  // A remembered copy (see CredentialCache) slides with the row.
  session.lastVerifiedAt = new Date(now);
  session.expiresAt = expiresAt;
  return { expiresAt, renewed: true };
}

/** The live session for a cookie's token, renewed when due; null when unknown, wrong or expired. */
export async function validateSessionToken(
  em: EntityManager,
  token: string,
  policy: SessionPolicy,
): Promise<SessionVerdict | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const session = await em.findOne(Session, { id: parsed.id });
  return session && verifySession(em, session, parsed.secret, policy);
}

export async function deleteSession(em: EntityManager, sessionId: string): Promise<void> {
  await em.nativeDelete(Session, { id: sessionId });
}

/** Ends every session of a user but one; returns the ids ended, so their sockets can be closed. */
export async function deleteOtherSessions(
  em: EntityManager,
  userId: number,
  keepId: string | null,
): Promise<string[]> {
  const sessions = await em.find(Session, keepId ? { user: userId, id: { $ne: keepId } } : { user: userId }, {
    fields: ['id'],
  });
  const ids = sessions.map((s) => s.id);
  if (ids.length) await em.nativeDelete(Session, { id: { $in: ids } });
  return ids;
}
