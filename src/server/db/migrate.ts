/**
 * `npm run db:migrate` applies pending migrations; `npm run db:migration:create` applies them, then writes the next
 * one from what the entities describe and the database lacks (review it, and list it in migrations/index.ts).
 */
import { loadConfig } from '../config.ts';
import { resolveDatabase } from './database.ts';
import { openDatabase } from './orm.ts';

const command = process.argv[2] ?? 'up';
const config = loadConfig();
const database = await resolveDatabase(config);
const orm = await openDatabase(database.url);
if (command === 'create') {
  const result = await orm.migrator.createMigration();
  console.log(
    result.fileName
      ? `Created migrations/${result.fileName}: review it, then list it in migrations/index.ts.`
      : 'The database already is what the entities describe: no migration needed.',
  );
} else {
  const executed = await orm.migrator.getExecutedMigrations();
  console.log(`Database is up to date (${executed.length} migrations applied).`);
}
await orm.close();
await database.stop();
