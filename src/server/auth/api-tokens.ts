import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiToken } from '../db/entities/index.ts';
import type { RecentUse } from '../db/recent-use.ts';
import { issueToken, secretMatches } from './secrets.ts';

/** Personal tokens carry a prefix so a leaked one is easy to recognise (and to tell from a session token). */
export const apiTokenPrefix = 'parley_';

export async function createApiToken(em: EntityManager, userId: number, name: string) {
  const { id, token, secretHash } = issueToken(apiTokenPrefix);
  const row = em.create(ApiToken, {
    id,
    user: userId,
    name,
    secretHash,
    createdAt: new Date(),
    lastUsedAt: null,
  });
  await em.flush();
  return { token, id, name, createdAt: row.createdAt };
}

/** A token row as a credential look-up reads it. */
export type StoredApiToken = Pick<ApiToken, 'id' | 'secretHash' | 'lastUsedAt'>;

/** Last use is shown to the owner to the minute: recording it more often would cost a write per call. */
const recordUseEveryMs = 60_000;

/** Whether a stored token matches this secret; its use is recorded (a few seconds late) at most once a minute. */
export function verifyApiToken(recentUse: RecentUse, token: StoredApiToken, secret: string): boolean {
  if (!secretMatches(secret, token.secretHash)) return false;
  const now = new Date();
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > recordUseEveryMs) {
    recentUse.tokenUsed(token.id);
    // A remembered copy (see CredentialCache) keeps up, so the next minute's calls record nothing.
    token.lastUsedAt = now;
  }
  return true;
}

/** Revokes every token of a user; returns the ids, so sockets opened with them can be closed. */
export async function deleteApiTokens(em: EntityManager, userId: number): Promise<string[]> {
  const ids = (await em.find(ApiToken, { user: userId }, { fields: ['id'] })).map((token) => token.id);
  if (ids.length) await em.nativeDelete(ApiToken, { id: { $in: ids } });
  return ids;
}
