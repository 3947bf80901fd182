/**
 * A socket call's entity manager forks only when the call uses it: a plain send, which only asks whether it runs in
 * a transaction before its append joins a group commit, forks none.
 */
import { expect, it, vi } from 'vitest';
import { User } from '../src/server/db/entities/index.ts';
import { forkOnUse } from '../src/server/db/orm.ts';
import { statementDatabase } from './helpers/statement-db.ts';

const db = statementDatabase();

it('answers that it is in no transaction without forking, and forks once on first real use', async () => {
  const orm = db.orm();
  const forks = vi.spyOn(orm.em, 'fork');
  const em = forkOnUse(orm);

  expect(em.isInTransaction()).toBe(false);
  expect(forks).not.toHaveBeenCalled();

  await em.count(User);
  await em.transactional(async (tx) => expect(tx.isInTransaction()).toBe(true));
  expect(em.isInTransaction()).toBe(false);
  expect(forks).toHaveBeenCalledTimes(1);
});
