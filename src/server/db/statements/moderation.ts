import type { EntityManager } from '@mikro-orm/postgresql';

/** Moderation's one statement the query builder cannot say: a transaction-wide advisory lock. */

/** The advisory lock key every role change takes ('prol' in ASCII). */
export const roleChangeLockKey = 0x70726f6c;

/**
 * Serialises role changes until the caller's transaction ends, so two admins demoting each other at once cannot
 * both succeed, and a promotion (`parley create-admin`) and a demotion cannot interleave and leave no admin. Call it inside `em.transactional`; outside one, the lock would end with the statement.
 */
export async function lockRoleChanges(tx: EntityManager): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock(?)', [roleChangeLockKey]);
}
