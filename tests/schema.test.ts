/**
 * The entities are the one description of the schema: on a database built by the migrations, the schema the
 * entities describe differs in nothing — no table, column, type, default, index, unique or check, no foreign key.
 * A migration written without its entity change (or the other way round) fails here, in CI.
 */
import { expect, it } from 'vitest';
import { connectDatabase } from './helpers/db.ts';
import { createTestDatabase } from './helpers/server.ts';
import { statementDatabase } from './helpers/statement-db.ts';

const db = statementDatabase();

/** Every index of the app's tables as PostgreSQL tells it: name, columns, expressions, predicate. */
async function indexDefinitions(url: string): Promise<Record<string, string>> {
  const client = await connectDatabase(url);
  try {
    const { rows } = await client.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes
       where schemaname = 'public' and tablename <> 'mikro_orm_migrations' order by indexname`,
    );
    return Object.fromEntries(rows.map((row) => [row.indexname, row.indexdef]));
  } finally {
    await client.end();
  }
}

it('the migrated database is exactly what the entities describe', async () => {
  const difference = await db.orm().schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
  expect(difference.trim()).toBe('');
});

// The comparison above goes by an index's name: one written as an expression (a predicate, an operator class)
// could differ in what it says and still pass. Built from the entities alone, every index must read the same.
it('and each index reads as its entity writes it, predicates and expressions included', async () => {
  const built = await createTestDatabase();
  try {
    const client = await connectDatabase(built.url);
    try {
      await client.query('create extension if not exists pg_trgm');
      await client.query(await db.orm().schema.getCreateSchemaSQL({ wrap: false }));
    } finally {
      await client.end();
    }
    expect(await indexDefinitions(db.url)).toEqual(await indexDefinitions(built.url));
  } finally {
    await built.drop();
  }
});
