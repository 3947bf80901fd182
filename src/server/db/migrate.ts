/** `npm run db:migrate` applies pending migrations; `npm run db:migration:create` writes an empty one to fill in. */
import { loadConfig } from '../config.ts';
import { resolveDatabase } from './database.ts';
import { openDatabase } from './orm.ts';

const command = process.argv[2] ?? 'up';
const config = loadConfig();
const database = await resolveDatabase(config);
const orm = await openDatabase(database.url);
if (command === 'create') {
  const result = await orm.migrator.createMigration(undefined, true);
  console.log(`Created ${result.fileName}`);
} else {
  const executed = await orm.migrator.getExecutedMigrations();
  console.log(`Database is up to date (${executed.length} migrations applied).`);
}
await orm.close();
await database.stop();
