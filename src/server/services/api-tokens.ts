import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { createApiToken } from '../auth/api-tokens.ts';
import { ApiToken } from '../db/entities/index.ts';
import type { Deps } from '../deps.ts';
import { endSessions } from './session-events.ts';

export async function issueApiToken(deps: Deps, em: EntityManager, userId: number, name: string) {
  const count = await em.count(ApiToken, { user: userId });
  if (count >= deps.config.limits.apiTokensPerUser) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: `You already have ${count} tokens, the most allowed. Revoke one first.`,
    });
  }
  return createApiToken(em, userId, name);
}

export async function listApiTokens(deps: Deps, em: EntityManager, userId: number) {
  // Uses this instance has not written yet show too.
  await deps.recentUse.flush();
  const tokens = await em.find(ApiToken, { user: userId }, { orderBy: { createdAt: 'desc' } });
  return tokens.map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt }));
}

export async function revokeApiToken(
  deps: Deps,
  em: EntityManager,
  userId: number,
  id: string,
): Promise<void> {
  const deleted = await em.nativeDelete(ApiToken, { id, user: userId });
  if (!deleted) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such token.' });
  await endSessions(deps, userId, { reason: 'token-revoked', tokenIds: [id] });
}
