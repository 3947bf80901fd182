import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiToken } from '../db/entities/index.ts';
import { issueToken, parseToken, secretMatches } from './secrets.ts';

/** Personal tokens carry a prefix so a leaked one is easy to recognise (and to tell from a session token). */
export const apiTokenPrefix = 'parley_';

export async function createApiToken(em: EntityManager, userId: number, name: string) {
  const { id, token, secretHash } = issueToken(apiTokenPrefix);
  const row = em.create(ApiToken, { id, userId, name, secretHash, createdAt: new Date(), lastUsedAt: null });
  await em.flush();
  return { token, id, name, createdAt: row.createdAt };
}

/** The token's row when the token is genuine; marks it used at most once a minute. */
export async function validateApiToken(em: EntityManager, token: string): Promise<ApiToken | null> {
  const parsed = parseToken(token, apiTokenPrefix);
  if (!parsed) return null;
  const row = await em.findOne(ApiToken, { id: parsed.id });
  if (!row || !secretMatches(parsed.secret, row.secretHash)) return null;
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await em.nativeUpdate(ApiToken, { id: row.id }, { lastUsedAt: now });
  }
  return row;
}
