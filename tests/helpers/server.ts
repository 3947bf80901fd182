import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connectParley, type ParleyClientOptions } from '../../src/sdk/index.ts';
import { type App, startApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { createLogger } from '../../src/server/logger.ts';

/** The machine's PostgreSQL and Redis (CI starts them); each test server gets its own database and key prefix. */
export const adminDatabaseUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const clientDir = fileURLToPath(new URL('../../dist/client', import.meta.url));

export interface TestServer extends App {
  databaseUrl: string;
  /** A typed client; closed with the server. */
  client(options?: Omit<ParleyClientOptions, 'url'>): ReturnType<typeof connectParley>['client'];
  connect(options?: Omit<ParleyClientOptions, 'url'>): ReturnType<typeof connectParley>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Share a database with another test server (two instances of one deployment). */
  databaseUrl?: string;
  redisPrefix?: string;
  redis?: boolean;
  serveClient?: boolean;
}

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminDatabaseUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** A real Parley on a free port, on a fresh database built by the migrations, with Redis fan-out. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.databaseUrl ? null : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? database!.url;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.redis === false ? undefined : testRedisUrl,
    REDIS_KEY_PREFIX: options.redisPrefix ?? `parley-test:${randomBytes(4).toString('hex')}:`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...options.env,
  });
  const app = await startApp(
    config,
    createLogger(config.logLevel),
    options.serveClient ? clientDir : null,
  ).catch(async (error: unknown) => {
    await database?.drop(); // a server that failed to start leaves no database behind
    throw error;
  });
  const connections: ReturnType<typeof connectParley>[] = [];
  const connect = (clientOptions: Omit<ParleyClientOptions, 'url'> = {}) => {
    const connection = connectParley({ url: app.url, ...clientOptions });
    connections.push(connection);
    return connection;
  };
  return {
    ...app,
    databaseUrl,
    connect,
    client: (clientOptions) => connect(clientOptions).client,
    async close() {
      await Promise.all(connections.map((c) => c.close()));
      await app.close();
      await database?.drop();
    },
  };
}
