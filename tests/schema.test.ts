/**
 * The entities are the one description of the schema: on a database built by the migrations, the schema the
 * entities describe differs in nothing — no table, column, type, default, index, unique or check, no foreign key.
 * A migration written without its entity change (or the other way round) fails here, in CI.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Orm, openDatabase } from '../src/server/db/orm.ts';
import { createTestDatabase } from './helpers/server.ts';

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

it('the migrated database is exactly what the entities describe', async () => {
  const difference = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
  expect(difference.trim()).toBe('');
});
