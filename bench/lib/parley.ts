/**
 * A Parley server for a benchmark: a scratch database with the real migrations, the server pinned to its core
 * (the same entry the crash tests use, without the web client), and people with API tokens made in bulk.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { apiTokenPrefix } from '../../src/server/auth/api-tokens.ts';
import { issueToken } from '../../src/server/auth/secrets.ts';
import { createScratchDatabase, type ScratchDatabase } from '../database.ts';
import { copyOutput, type NodeProcess, root, serverCpu, spawnNode, waitForLine } from './processes.ts';

export const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ParleyInstance {
  url: string;
  proc: NodeProcess;
  stop(): Promise<void>;
}

/** The limits a benchmark must not trip: it measures speed, not the rate limiter. */
const benchLimits = {
  RATE_MUTATIONS_PER_MINUTE: '100000000',
  RATE_QUERIES_PER_MINUTE: '100000000',
  WS_CALLS_PER_MINUTE: '100000000',
  WS_MAX_ANONYMOUS_PER_IP: '100000',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
};

/**
 * The Node options `npm start` runs the server with (package.json's start script): the bench
 * measures the server as it is deployed.
 */
function startNodeOptions(): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [, ...args] = manifest.scripts.start.split(/\s+/);
  return args.filter((arg) => arg.startsWith('--') && arg !== '--import');
}

export async function startParley(options: {
  databaseUrl: string;
  redisPrefix?: string;
  port?: number;
  cpu?: number;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** A file for `bench/lib/loop-watch.ts` to write the server's event-loop delay and GC pauses to. */
  loopWatchFile?: string;
}): Promise<ParleyInstance> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { ...process.env, ...benchLimits, ...options.env };
  env.HOST = '127.0.0.1';
  env.PORT = String(port);
  env.DATABASE_URL = options.databaseUrl;
  env.PARLEY_DATA_DIR = `/tmp/parley-bench-${port}`;
  if (options.redisPrefix) {
    env.REDIS_URL = redisUrl;
    env.REDIS_KEY_PREFIX = options.redisPrefix;
  } else {
    delete env.REDIS_URL;
  }
  if (options.loopWatchFile) env.BENCH_LOOP_WATCH = options.loopWatchFile;
  // The server as `npm start` runs it, from its build (bin/parley-server.js), without the web client.
  const proc = spawnNode('bin/parley-server.js', {
    args: ['headless'],
    cpu: options.cpu ?? serverCpu,
    env,
    nodeArgs: [...startNodeOptions(), ...(options.nodeArgs ?? [])],
    preload: options.loopWatchFile ? ['./bench/lib/loop-watch.ts'] : [],
  });
  // `npm run bench -- --server-output` (or BENCH_SERVER_OUTPUT=dir for a probe): each server's output kept whole.
  if (process.env.BENCH_SERVER_OUTPUT) copyOutput(proc, process.env.BENCH_SERVER_OUTPUT, 'parley');
  await waitForLine(proc, new RegExp(`listening ${port}`));
  return { url: `http://127.0.0.1:${port}`, proc, stop: () => proc.stop('SIGTERM') };
}

export interface BenchDatabase extends ScratchDatabase {
  query<Row extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export async function benchDatabase(prefix = 'parley_bench'): Promise<BenchDatabase> {
  const scratch = await createScratchDatabase(prefix);
  const pool = new pg.Pool({ connectionString: scratch.url, max: 2 });
  // Dropping the database ends its connections, idle ones too: pg reports that on the pool, and an unheard error
  // there would end the whole run.
  pool.on('error', () => {});
  return {
    ...scratch,
    query: async (text, values) => (await pool.query(text, values)).rows,
    close: () => pool.end(),
    drop: async () => {
      await pool.end().catch(() => {});
      await scratch.drop();
    },
  };
}

export interface BenchUser {
  id: number;
  token: string;
}

/**
 * `count` people with one API token each, in two statements (registering through the API hashes a password with
 * argon2id, ~80 ms each: 10,000 people would take minutes and measure nothing this suite is about).
 */
export async function seedUsers(
  db: BenchDatabase,
  count: number,
  tag = randomBytes(3).toString('hex'),
): Promise<BenchUser[]> {
  const ids = await db.query<{ id: number }>(
    `insert into users (username, display_name, email, password_hash)
     select 'b${tag}_' || i, 'Bench ' || i, 'b${tag}_' || i || '@bench.example.com', '$argon2id$bench$not-a-hash'
     from generate_series(1, $1::int) i returning id`,
    [count],
  );
  const tokens = ids.map(({ id }) => ({ userId: id, ...issueToken(apiTokenPrefix) }));
  await db.query(
    `insert into api_tokens (id, user_id, name, secret_hash, created_at)
     select * , now() from unnest($1::text[], $2::int[], $3::text[], $4::bytea[])`,
    [
      tokens.map((t) => t.id),
      tokens.map((t) => t.userId),
      tokens.map(() => 'bench'),
      tokens.map((t) => t.secretHash),
    ],
  );
  await db.query(
    `insert into room_members (room_id, user_id, read_seq)
     select r.id, u, r.position from rooms r, unnest($1::int[]) u where r.kind = 'public' on conflict do nothing`,
    [ids.map((row) => row.id)],
  );
  return tokens.map((t) => ({ id: t.userId, token: t.token }));
}

/** Transactions PostgreSQL has finished in the database: every statement outside a transaction is one. */
export async function transactions(db: BenchDatabase): Promise<number> {
  await db.query('select pg_stat_force_next_flush()').catch(() => {});
  const [row] = await db.query<{ n: string }>(
    'select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()',
  );
  return Number(row?.n ?? 0);
}

export async function publicRoomId(db: BenchDatabase): Promise<number> {
  const [row] = await db.query<{ id: number }>("select id from rooms where kind = 'public'");
  return row!.id;
}

/**
 * A private room for each two people in a row (the first with the second, the third with the fourth, …), as each
 * person's room in order: an odd one out has none. What web-like tabs follow beside the public room.
 */
export async function seedRoomsInPairs(
  db: BenchDatabase,
  people: readonly BenchUser[],
): Promise<(number | null)[]> {
  const pairs = Array.from({ length: Math.floor(people.length / 2) }, (_, i): [number, number] => [
    people[2 * i]!.id,
    people[2 * i + 1]!.id,
  ]);
  const rooms = pairs.length ? await seedPrivateRooms(db, pairs) : [];
  return people.map((_, i) => rooms[Math.floor(i / 2)] ?? null);
}

/** Private rooms for the pairs (a[i], b[i]), with the friendships that allow sending; returns their ids. */
export async function seedPrivateRooms(db: BenchDatabase, pairs: [number, number][]): Promise<number[]> {
  const low = pairs.map(([a, b]) => Math.min(a, b));
  const high = pairs.map(([a, b]) => Math.max(a, b));
  await db.query('insert into friendships (user_low, user_high) select * from unnest($1::int[], $2::int[])', [
    low,
    high,
  ]);
  const rows = await db.query<{ id: number }>(
    `insert into rooms (kind, name, user_low, user_high)
     select 'private', 'Direct message', l, h from unnest($1::int[], $2::int[]) with ordinality as p(l, h, n)
     order by n returning id`,
    [low, high],
  );
  await db.query(
    `insert into room_members (room_id, user_id)
     select id, user_low from rooms where kind = 'private' union all select id, user_high from rooms where kind = 'private'
     on conflict do nothing`,
  );
  return rows.map((row) => row.id);
}
