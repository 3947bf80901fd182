import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PasswordReset, type PasswordResetEnding } from '../db/entities/index.ts';
import { issueToken, parseToken, secretMatches } from './secrets.ts';

/** Reset tokens carry a prefix of their own, so one is never mistaken for a session or an API token. */
export const resetTokenPrefix = 'reset_';

/** Ended links are kept this long (so their page can say why they ended), then deleted with the next new one. */
const keepEndedMs = 7 * 24 * 60 * 60 * 1000;

/** A new link for the user, in the caller's transaction; every earlier one still open ends as `replaced`. */
export async function issuePasswordReset(tx: EntityManager, userId: number, ttlMs: number): Promise<string> {
  const now = new Date();
  await tx.nativeDelete(PasswordReset, { userId, createdAt: { $lt: new Date(now.getTime() - keepEndedMs) } });
  await endPasswordResets(tx, userId, 'replaced');
  const { id, token, secretHash } = issueToken(resetTokenPrefix);
  tx.create(PasswordReset, {
    id,
    userId,
    secretHash,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlMs),
    endedAt: null,
    endedBy: null,
  });
  await tx.flush();
  return token;
}

/** Ends every open link of the user (a newer link, a new password). */
export async function endPasswordResets(
  em: EntityManager,
  userId: number,
  why: PasswordResetEnding,
): Promise<void> {
  await em.nativeUpdate(PasswordReset, { userId, endedAt: null }, { endedAt: new Date(), endedBy: why });
}

export type ResetProblem = 'invalid' | 'expired' | PasswordResetEnding;
export type ResetLookup = { reset: PasswordReset; problem: null } | { reset: null; problem: ResetProblem };

/**
 * The open link a token names, or why it does not work. `lock`: the row is locked until the caller's transaction
 * ends, so two tabs cannot both use one link.
 */
export async function findPasswordReset(
  em: EntityManager,
  token: string,
  { lock }: { lock: boolean },
): Promise<ResetLookup> {
  const parsed = parseToken(token, resetTokenPrefix);
  if (!parsed) return { reset: null, problem: 'invalid' };
  const reset = await em.findOne(
    PasswordReset,
    { id: parsed.id },
    lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {},
  );
  if (!reset || !secretMatches(parsed.secret, reset.secretHash)) return { reset: null, problem: 'invalid' };
  if (reset.endedBy === 'used') return { reset: null, problem: 'used' };
  if (reset.expiresAt.getTime() <= Date.now()) return { reset: null, problem: 'expired' };
  if (reset.endedBy) return { reset: null, problem: reset.endedBy };
  return { reset, problem: null };
}
