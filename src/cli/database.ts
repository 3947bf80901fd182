/**
 * The database `parley create-admin` works on: the server's own. DATABASE_URL when set; otherwise the embedded
 * PostgreSQL under PARLEY_DATA_DIR — joined where a running server already started it (starting it a second time
 * would stop the server's), or started just for this command and stopped after.
 */
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Config, ConfigError, loadConfig } from '../server/config.ts';
import { resolveDatabase } from '../server/db/database.ts';
import { openDatabase } from '../server/db/orm.ts';
import type { Logger } from '../server/logger.ts';
import { CliError } from './errors.ts';

export interface LocalDatabase {
  em: EntityManager;
  /** Where it is, for the person: `DATABASE_URL` or the embedded data folder. */
  where: string;
  close(): Promise<void>;
}

/** Progress of the embedded server on stderr: stdout is for the command's result. */
const stderrLog: Logger = {
  debug: () => {},
  info: (message) => process.stderr.write(`${message}\n`),
  warn: (message) => process.stderr.write(`${message}\n`),
  error: (message) => process.stderr.write(`${message}\n`),
};

export async function openLocalDatabase(env: NodeJS.ProcessEnv = process.env): Promise<LocalDatabase> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
  // Joins the embedded PostgreSQL of a running server rather than starting (and so stopping) it again.
  const database = await resolveDatabase(config, stderrLog);
  const where = config.databaseUrl ? 'DATABASE_URL' : path.resolve(config.dataDir, 'postgres');
  try {
    const orm = await openDatabase(database.url, stderrLog);
    return {
      em: orm.em.fork(),
      where,
      async close() {
        await orm.close();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw new CliError(`Could not open the database (${where}): ${(error as Error).message}`);
  }
}
