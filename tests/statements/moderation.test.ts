/** Moderation's raw statement: the role-change lock holds for exactly as long as the transaction that took it. */
import { describe, expect, it } from 'vitest';
import { lockRoleChanges, roleChangeLockKey } from '../../src/server/db/statements/moderation.ts';
import { connectDatabase } from '../helpers/db.ts';
import { statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();

/** What a second admin's role change would find: can it take the lock right now? */
async function anotherAdminCouldChangeRoles(): Promise<boolean> {
  const other = await connectDatabase(db.url);
  try {
    const { rows } = await other.query<{ free: boolean }>('select pg_try_advisory_lock($1) as free', [
      roleChangeLockKey,
    ]);
    if (rows[0]?.free) await other.query('select pg_advisory_unlock($1)', [roleChangeLockKey]);
    return rows[0]?.free ?? false;
  } finally {
    await other.end();
  }
}

describe('lockRoleChanges', () => {
  it('holds other role changes off until the transaction that took it ends, then lets them through', async () => {
    let heldInside = false;
    await db.em().transactional(async (tx) => {
      await lockRoleChanges(tx);
      heldInside = !(await anotherAdminCouldChangeRoles());
    });
    expect(heldInside).toBe(true);
    expect(await anotherAdminCouldChangeRoles()).toBe(true);
  });

  it('is let go when the transaction fails, so a failed role change blocks no one', async () => {
    const failing = db.em().transactional(async (tx) => {
      await lockRoleChanges(tx);
      throw new Error('the role change failed halfway');
    });
    await expect(failing).rejects.toThrow('failed halfway');
    expect(await anotherAdminCouldChangeRoles()).toBe(true);
  });
});
