import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { connectDatabase } from './db.ts';
import { createTestDatabase, testRedisUrl } from './server.ts';
import { type ServerProcess, spawnServer } from './server-process.ts';

export interface ProcessSuite {
  /** The database every instance of the file shares. */
  readonly databaseUrl: string;
  /** A direct connection to it, to look at what is stored. */
  readonly db: pg.Client;
  /** A client of the instances' Redis, and the key prefix they share. */
  readonly redis: Redis;
  readonly redisPrefix: string;
  /** Parley as a child process on the file's database and Redis prefix; killed after the file if it still runs. */
  spawn(port: number, env: Record<string, string>): Promise<ServerProcess>;
}

/**
 * One file's deployment of instances that a test can crash or stop and start again: a database and a Redis key
 * prefix that outlive them, both cleared after the file. Use it at the top of the file: its hooks run first.
 */
export function processSuite(): ProcessSuite {
  const redisPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
  const servers: ServerProcess[] = [];
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let db: pg.Client | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await connectDatabase(database.url);
    redis = new Redis(testRedisUrl);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
    await db?.end();
    const keys = (await redis?.keys(`${redisPrefix}*`)) ?? [];
    if (keys.length) await redis?.del(...keys);
    redis?.disconnect();
    await database?.drop();
  });
  const started = <T>(value: T | undefined): T => {
    if (!value) throw new Error('The suite starts in beforeAll: use it inside a test or a hook.');
    return value;
  };
  return {
    get databaseUrl() {
      return started(database).url;
    },
    get db() {
      return started(db);
    },
    get redis() {
      return started(redis);
    },
    redisPrefix,
    async spawn(port, env) {
      const server = await spawnServer({ port, databaseUrl: started(database).url, redisPrefix, env });
      servers.push(server);
      return server;
    },
  };
}
