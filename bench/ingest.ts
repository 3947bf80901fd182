/**
 * Scenario 4, ingest: acknowledged, stored messages a second into one room, and across 100 rooms, from senders
 * that each send again as soon as they are acknowledged. Afterwards every room's positions are checked dense and
 * every acknowledged clientId stored exactly once. The baseline is the same append as one SQL statement sent
 * straight to PostgreSQL, measured in the same run.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import {
  type BenchDatabase,
  benchDatabase,
  publicRoomId,
  seedPrivateRooms,
  seedUsers,
  startParley,
} from './lib/parley.ts';
import { cpuMicros, runLoad } from './lib/processes.ts';
import { printTable } from './lib/table.ts';
import type { IngestAnswer, IngestRequest } from './load/ingest-load.ts';

export interface IngestOptions {
  durationMs: number;
  /** Concurrent senders into the one room. */
  oneRoomSenders: number;
  rooms: number;
  serverNodeArgs?: string[];
}

export const fullIngest: IngestOptions = { durationMs: 10_000, oneRoomSenders: 32, rooms: 100 };
export const quickIngest: IngestOptions = { durationMs: 1_500, oneRoomSenders: 8, rooms: 10 };

const drive = (request: IngestRequest) => runLoad<IngestAnswer>('bench/load/ingest-load.ts', request);

/**
 * How many transactions stored these messages, per message: rows one statement wrote share its transaction id, so
 * 1.00 is a statement per send, and group commit shows as less.
 */
async function transactionsPerMessage(db: BenchDatabase, clientIds: string[]): Promise<number> {
  const [row] = await db.query<{ n: string }>(
    'select count(distinct xmin::text) as n from messages where client_id = any($1::text[])',
    [clientIds],
  );
  return Number(row?.n) / Math.max(1, clientIds.length);
}

/** CPU used so far by each PostgreSQL backend on the bench database (the server's pooled connections, mostly). */
async function backendCpu(db: BenchDatabase): Promise<Map<number, number>> {
  const backends = await db.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  // A backend that ended since the list was read (an idle connection let go) counts as nothing.
  const cpuOf = (pid: number) => (existsSync(`/proc/${pid}`) ? cpuMicros(pid) : 0);
  return new Map(backends.map(({ pid }) => [pid, cpuOf(pid)]));
}

/** PostgreSQL's CPU since `before` (a backend started since counts from zero). */
async function backendCpuSince(db: BenchDatabase, before: Map<number, number>): Promise<number> {
  let used = 0;
  for (const [pid, now] of await backendCpu(db)) used += now - (before.get(pid) ?? 0);
  return used;
}

/** Problems with what was stored: a gap or repeat in any room's positions, an acknowledged message not stored once. */
async function checkStored(db: BenchDatabase, clientIds: string[], table: 'messages' | 'bench_messages') {
  const problems: string[] = [];
  const gaps = await db.query<{ room_id: number; n: string; lo: string; hi: string }>(
    `select room_id, count(*) as n, min(seq) as lo, max(seq) as hi from ${table} group by room_id
     having count(*) <> max(seq) - min(seq) + 1 or count(distinct seq) <> count(*)`,
  );
  for (const gap of gaps)
    problems.push(`room ${gap.room_id}: ${gap.n} messages over positions ${gap.lo}..${gap.hi}`);
  const [stored] = await db.query<{ n: string }>(
    `select count(*) as n from ${table} where client_id = any($1::text[])`,
    [clientIds],
  );
  if (Number(stored?.n) !== clientIds.length)
    problems.push(`${clientIds.length} acknowledged, ${stored?.n} stored`);
  return problems;
}

/**
 * How many more connections PostgreSQL takes now: the baseline's senders share them when the server's pool (still
 * open for the next case) leaves fewer than one each.
 */
async function freeConnections(db: BenchDatabase): Promise<number> {
  const [row] = await db.query<{ free: number }>(
    `select current_setting('max_connections')::int - count(*)::int as free from pg_stat_activity
     where backend_type = 'client backend'`,
  );
  return row?.free ?? 0;
}

async function baseline(db: BenchDatabase, rooms: number[], senders: number, durationMs: number) {
  await db.query(`create table bench_rooms (id int primary key, position bigint not null default 0);
    create table bench_messages (id bigserial primary key, room_id int not null, seq bigint not null,
      client_id text not null, body text not null, created_at timestamptz not null default now(),
      unique (room_id, seq), unique (client_id))`);
  await db.query('insert into bench_rooms (id) select unnest($1::int[])', [rooms]);
  // One spare, for the bench's own queries.
  const connections = Math.max(1, Math.min(senders, (await freeConnections(db)) - 1));
  console.log(`  SQL only: ${senders} senders over ${connections} connections`);
  const answer = await drive({
    kind: 'baseline',
    url: db.url,
    senders: Array.from({ length: senders }, (_, i) => ({ token: '', roomId: rooms[i % rooms.length]! })),
    connections,
    durationMs,
  });
  const problems = await checkStored(db, answer.clientIds, 'bench_messages');
  if (answer.errors) problems.push(`${answer.errors} sends failed (${failureList(answer.failures)})`);
  await db.query('drop table bench_rooms, bench_messages');
  return { answer: { ...answer, connections }, problems };
}

/** `HTTP 503 × 8, no HTTP answer × 2`. */
const failureList = (failures: Record<string, number>) =>
  Object.entries(failures)
    .map(([why, count]) => `${why} × ${count}`)
    .join(', ');

type IngestSummary = Omit<IngestAnswer, 'clientIds'> & {
  cpuPerMessage: number;
  /** PostgreSQL's own CPU per message: what the statements cost, apart from waiting for a core. */
  databaseCpuPerMessage: number;
  transactionsPerMessage: number;
};

/** Scripts send over HTTP; the web client over its socket. Both are measured, each against the same baseline. */
const transports = ['http', 'socket'] as const;

export async function runIngest(options: IngestOptions) {
  const db = await benchDatabase();
  const problems: string[] = [];
  const rows: (string | number)[][] = [];
  const results: Record<string, Record<string, unknown>> = {};
  try {
    const server = await startParley({ databaseUrl: db.url, nodeArgs: options.serverNodeArgs });
    try {
      const people = await seedUsers(db, Math.max(options.oneRoomSenders, options.rooms * 2));
      const publicRoom = await publicRoomId(db);
      const pairs = Array.from(
        { length: options.rooms },
        (_, i) => [people[2 * i]!, people[2 * i + 1]!] as const,
      );
      const privateRooms = await seedPrivateRooms(
        db,
        pairs.map(([a, b]) => [a.id, b.id]),
      );
      const cases = [
        {
          name: 'one room',
          senders: people
            .slice(0, options.oneRoomSenders)
            .map((p) => ({ token: p.token, roomId: publicRoom })),
          rooms: [publicRoom],
        },
        {
          name: `${options.rooms} rooms`,
          senders: pairs.map(([a], i) => ({ token: a.token, roomId: privateRooms[i]! })),
          rooms: privateRooms,
        },
      ];
      for (const scenario of cases) {
        const measured: { name: string; transport: (typeof transports)[number]; ours: IngestSummary }[] = [];
        for (const transport of transports) {
          const name = `${scenario.name}, ${transport === 'http' ? 'HTTP' : 'socket'}`;
          console.log(`\ningest: ${name}, ${scenario.senders.length} senders`);
          const cpuBefore = cpuMicros(server.proc.pid);
          const databaseBefore = await backendCpu(db);
          const { clientIds, ...answer } = await drive({
            kind: 'parley',
            transport,
            url: server.url,
            senders: scenario.senders,
            durationMs: options.durationMs,
          });
          const perMessage = (micros: number) => Math.round(micros / Math.max(1, answer.acked));
          const cpuPerMessage = perMessage(cpuMicros(server.proc.pid) - cpuBefore);
          const databaseCpuPerMessage = perMessage(await backendCpuSince(db, databaseBefore));
          const transactions = await transactionsPerMessage(db, clientIds);
          problems.push(...(await checkStored(db, clientIds, 'messages')).map((p) => `${name}: ${p}`));
          if (answer.errors)
            problems.push(`${name}: ${answer.errors} sends failed (${failureList(answer.failures)})`);
          measured.push({
            name,
            transport,
            ours: { ...answer, cpuPerMessage, databaseCpuPerMessage, transactionsPerMessage: transactions },
          });
        }
        // The baseline after Parley's runs, as before the socket runs were added: its heavy writes (and the
        // checkpoint they bring) would otherwise weigh on the run after it.
        const base = await baseline(db, scenario.rooms, scenario.senders.length, options.durationMs);
        problems.push(...base.problems.map((p) => `${scenario.name} (baseline): ${p}`));
        const { clientIds: _b, ...baseSummary } = base.answer;
        results[scenario.name] = { baseline: baseSummary };
        for (const { name, transport, ours } of measured) {
          rows.push([
            name,
            ours.perSecond,
            `${ours.p50} / ${ours.p99}`,
            ours.cpuPerMessage,
            ours.databaseCpuPerMessage,
            ours.generatorCpuPerMessage,
            ours.transactionsPerMessage.toFixed(2),
            base.answer.perSecond,
            `${base.answer.p50} / ${base.answer.p99}`,
            (ours.perSecond / base.answer.perSecond).toFixed(2),
          ]);
          results[scenario.name] = { ...results[scenario.name], [transport]: ours };
        }
      }
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
  printTable(
    'ingest (acknowledged messages a second; ack latency p50 / p99 in ms)',
    [
      'case',
      'Parley',
      'latency',
      'server µs/msg',
      'PostgreSQL µs/msg',
      'generator µs/msg',
      'transactions/msg',
      'SQL only',
      'latency',
      'ratio',
    ],
    rows,
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/ingest.json',
    `${JSON.stringify({ at: new Date().toISOString(), options, results }, null, 2)}\n`,
  );
  return { problems };
}
