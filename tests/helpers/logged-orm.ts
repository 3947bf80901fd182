import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../../src/server/db/orm.ts';

/**
 * The ORM on a test database with MikroORM's query log kept: every statement the app's code sends through it after
 * it opened (not its own check that the database exists), in order, transaction begins and commits included, to
 * count what a path costs. Close it after the test.
 */
export async function loggedOrm(databaseUrl: string) {
  const statements: string[] = [];
  const orm = await MikroORM.init({
    ...ormOptions(databaseUrl),
    debug: ['query'],
    logger: (line) => statements.push(line),
  });
  statements.length = 0;
  return { orm, statements };
}
