import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { connectDatabase } from './db.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './server.ts';

export interface ServerSuite {
  readonly server: TestServer;
  /** A direct connection to the server's database, to look at what is stored and to age rows. */
  readonly db: pg.Client;
}

/**
 * One API test file's world: a test server on a database of its own, and a direct connection to that database,
 * both closed after the file. Use it at the top of the file: its hooks run before the file's own.
 */
export function serverSuite(options: TestServerOptions): ServerSuite {
  let server: TestServer | undefined;
  let db: pg.Client | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
    db = await connectDatabase(server.databaseUrl);
  });
  afterAll(async () => {
    await db?.end();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (!value) throw new Error('The server starts in beforeAll: use it inside a test or a hook.');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get db() {
      return started(db);
    },
  };
}
