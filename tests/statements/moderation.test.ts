/** Moderation's raw statement: the role-change lock holds for exactly as long as the transaction that took it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Orm, openDatabase } from '../../src/server/db/orm.ts';
import { lockRoleChanges, roleChangeLockKey } from '../../src/server/db/statements/moderation.ts';
import { connectDatabase } from '../helpers/db.ts';
import { createTestDatabase } from '../helpers/server.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;

beforeAll(async () => {
  database = await createTestDatabase();
  orm = await openDatabase(database.url);
});

afterAll(async () => {
  await orm?.close();
  await database?.drop();
});

/** What a second admin's role change would find: can it take the lock right now? */
async function anotherAdminCouldChangeRoles(): Promise<boolean> {
  const other = await connectDatabase(database.url);
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
    await orm.em.fork().transactional(async (tx) => {
      await lockRoleChanges(tx);
      heldInside = !(await anotherAdminCouldChangeRoles());
    });
    expect(heldInside).toBe(true);
    expect(await anotherAdminCouldChangeRoles()).toBe(true);
  });

  it('is let go when the transaction fails, so a failed role change blocks no one', async () => {
    const failing = orm.em.fork().transactional(async (tx) => {
      await lockRoleChanges(tx);
      throw new Error('the role change failed halfway');
    });
    await expect(failing).rejects.toThrow('failed halfway');
    expect(await anotherAdminCouldChangeRoles()).toBe(true);
  });
});
