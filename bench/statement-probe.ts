/**
 * The hot statements one at a time, as a lone caller makes them: the append (one row, and eight at once as group
 * commit sends them), the read move, the token look-up, a history page and a catch-up page. Each runs `--runs`
 * times, after `--warm-up` runs (so a prepared statement has settled on its plan, and V8 has compiled the client's
 * code), through the app's own functions on one pooled connection; per statement it prints PostgreSQL's CPU (its
 * backend's, from /proc: what the database pays, whatever else the machine runs), this process's CPU, and the wall
 * time.
 *
 * `node --import tsx bench/statement-probe.ts [--runs=300] [--warm-up=2000] [--prefix=parley_probe] [--log]`; with
 * `--log` PostgreSQL logs every statement of the scratch database with its duration (`log_min_duration_statement =
 * 0`), to compare parse, bind and execute in its log.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../src/server/db/orm.ts';
import { apiTokensWithOwners } from '../src/server/db/statements/auth.ts';
import {
  appendMessage,
  appendMessages,
  eventsAfter,
  messagesBefore,
} from '../src/server/db/statements/chat.ts';
import { moveReadPositions } from '../src/server/db/statements/read-positions.ts';
import { commandLine, numberArg } from './lib/command-line.ts';
import { benchDatabase, publicRoomId, seedPrivateRooms, seedUsers } from './lib/parley.ts';
import { cpuMicros } from './lib/processes.ts';
import { printTable } from './lib/table.ts';

const { values: options } = commandLine({
  runs: { type: 'string' },
  'warm-up': { type: 'string' },
  prefix: { type: 'string' },
  log: { type: 'boolean' },
});
const runs = numberArg(options.runs, 300, '--runs');
/**
 * Runs of each statement before it is measured. Twenty were too few: V8 was still compiling the client's code
 * (pg's parser, MikroORM's fork, the statement's own functions) on its helper threads for the first few thousand
 * calls, and that compiling doubled the Node CPU measured per statement (docs/performance.md, entry 31).
 */
const warmUp = numberArg(options['warm-up'], 2_000, '--warm-up');

const db = await benchDatabase(options.prefix ?? 'parley_probe');
if (options.log) {
  const [database] = await db.query<{ name: string }>('select current_database() as name');
  await db.query(`alter database ${database?.name} set log_min_duration_statement = 0`);
}
// One connection, so every statement runs on the backend whose CPU is read.
const orm = await MikroORM.init({ ...ormOptions(db.url), pool: { min: 1, max: 1 } });

/** Runs `call` (given its run number) warm-up + `runs` times; the costs of the measured runs, per run. */
async function measure(name: string, call: (run: number) => Promise<unknown>, backend: number) {
  for (let run = 0; run < warmUp; run++) await call(run);
  const [pgBefore, ownBefore, wallBefore] = [cpuMicros(backend), process.cpuUsage(), performance.now()];
  for (let run = warmUp; run < warmUp + runs; run++) await call(run);
  const own = process.cpuUsage(ownBefore);
  const perRun = (micros: number) => Math.round(micros / runs);
  return [
    name,
    perRun(cpuMicros(backend) - pgBefore),
    perRun(own.user + own.system),
    perRun((performance.now() - wallBefore) * 1000),
  ];
}

try {
  await orm.migrator.up();
  const em = () => orm.em.fork();
  const [{ pid: backend } = { pid: 0 }] = await em().execute<{ pid: number }[]>(
    'select pg_backend_pid() as pid',
  );
  const people = await seedUsers(db, 20);
  const pairs = Array.from(
    { length: 10 },
    (_, i) => [people[2 * i]!.id, people[2 * i + 1]!.id] as [number, number],
  );
  const rooms = await seedPrivateRooms(db, pairs);
  const publicRoom = await publicRoomId(db);
  const [{ id: tokenId } = { id: '' }] = await db.query<{ id: string }>('select id from api_tokens limit 1');
  const lone = (run: number) => ({
    roomId: rooms[run % rooms.length]!,
    senderId: pairs[run % pairs.length]![0],
    clientId: `lone-${run}`,
    body: `message ${run}`,
  });
  const eight = (run: number) =>
    people
      .slice(0, 8)
      .map((p, i) => ({ roomId: publicRoom, senderId: p.id, clientId: `eight-${run}-${i}`, body: 'hi' }));
  const rows = [
    await measure('append, one row (private room)', (run) => appendMessage(em(), lone(run)), backend),
    await measure('append, 8 rows (public room)', (run) => appendMessages(em(), eight(run)), backend),
    await measure(
      'moveReadPositions, one reader',
      (run) => moveReadPositions(em(), [{ roomId: rooms[0]!, userId: pairs[0]![1], seq: run }]),
      backend,
    ),
    await measure(
      'moveReadPositions, 20 readers at the end (public room)',
      () =>
        moveReadPositions(
          em(),
          people.map((p) => ({ roomId: publicRoom, userId: p.id, seq: 1e12 })),
        ),
      backend,
    ),
    await measure('apiTokensWithOwners', () => apiTokensWithOwners(em(), [tokenId]), backend),
    await measure('messagesBefore, 50', () => messagesBefore(em(), publicRoom, null, 50), backend),
    await measure('eventsAfter, 100', () => eventsAfter(em(), publicRoom, 0, null, 100), backend),
  ];
  printTable(
    `statement probe: ${runs} runs each, one connection`,
    ['statement', 'PostgreSQL µs', 'Node µs', 'wall µs'],
    rows,
  );
  // What the connection keeps for the statements it has prepared: the price of keeping their plans.
  const [plans] = await em().execute<{ bytes: number | null }[]>(
    `select sum(total_bytes)::int as bytes from pg_backend_memory_contexts
      where name in ('CachedPlan', 'CachedPlanSource', 'CachedPlanQuery')`,
  );
  console.log(`plans cached by the connection: ${((plans?.bytes ?? 0) / 2 ** 20).toFixed(2)} MiB`);
} finally {
  await orm.close();
  await db.drop();
}
