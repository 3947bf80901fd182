/**
 * The entities are the one description of the schema: on a database built by the migrations, the schema the
 * entities describe differs in nothing — no table, column, type, default, index, unique or check, no foreign key.
 * A migration written without its entity change (or the other way round) fails here, in CI.
 */
import { expect, it } from 'vitest';
import { statementDatabase } from './helpers/statement-db.ts';

const db = statementDatabase();

it('the migrated database is exactly what the entities describe', async () => {
  const difference = await db.orm().schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
  expect(difference.trim()).toBe('');
});
