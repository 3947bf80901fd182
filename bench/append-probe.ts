/**
 * The append statement as group commit sends it across many private rooms: one sender per room and the other
 * member never reading, so each room holds `--unread` messages they have not read (a 10-second ingest run leaves
 * ~150–300). Per batch size (one room, a tenth of them, all of them) it runs the app's own `appendMessages` on one
 * pooled connection inside a transaction that is rolled back (every run meets the same rooms), and prints
 * PostgreSQL's CPU per batch and per row (its backend's, from /proc: what the database pays, whatever else the
 * machine runs) and the wall time. With `--explain`, the plan of the largest batch with each node's time.
 *
 * `node --import tsx bench/append-probe.ts [--rooms=100] [--unread=150] [--runs=200] [--explain]`
 */
import { type EntityManager, type Knex, MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../src/server/db/orm.ts';
import { appendMessages, appendStatement, type Send } from '../src/server/db/statements/chat.ts';
import { commandLine, numberArg } from './lib/command-line.ts';
import { benchDatabase, seedPrivateRooms, seedUsers } from './lib/parley.ts';
import { cpuMicros } from './lib/processes.ts';
import { printTable } from './lib/table.ts';

const { values: options } = commandLine({
  rooms: { type: 'string' },
  unread: { type: 'string' },
  runs: { type: 'string' },
  explain: { type: 'boolean' },
});
const roomCount = numberArg(options.rooms, 100, '--rooms');
const unread = numberArg(options.unread, 150, '--unread');
const runs = numberArg(options.runs, 200, '--runs');
// More than the five runs after which PostgreSQL may settle a prepared statement on its generic plan.
const warmUp = 10;

const db = await benchDatabase('parley_append_probe');
// One connection, so every statement runs on the backend whose CPU is read.
const orm = await MikroORM.init({ ...ormOptions(db.url), pool: { min: 1, max: 1 } });

let sent = 0;
/** One message into each of these rooms from its first member. */
const sendsTo = (rooms: readonly { roomId: number; senderId: number }[]): Send[] =>
  rooms.map((room) => ({ ...room, clientId: `probe-${++sent}`, body: `message ${sent}` }));

/** Runs `work` in a transaction and rolls it back: the rooms stay as seeded. */
async function rolledBack<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
  const tx = orm.em.fork();
  await tx.begin();
  try {
    return await work(tx);
  } finally {
    await tx.rollback();
  }
}

try {
  await orm.migrator.up();
  const [{ pid: backend } = { pid: 0 }] = await orm.em
    .fork()
    .execute<{ pid: number }[]>('select pg_backend_pid() as pid');
  const people = await seedUsers(db, 2 * roomCount);
  const pairs = Array.from(
    { length: roomCount },
    (_, i) => [people[2 * i]!.id, people[2 * i + 1]!.id] as [number, number],
  );
  const roomIds = await seedPrivateRooms(db, pairs);
  const rooms = roomIds.map((roomId, i) => ({ roomId, senderId: pairs[i]![0] }));
  // Through the app's own statement, so whatever it keeps per member is kept as a real run keeps it.
  for (let n = 0; n < unread; n++) await appendMessages(orm.em.fork(), sendsTo(rooms));

  const rows = [];
  for (const size of [...new Set([1, Math.ceil(roomCount / 10), roomCount])]) {
    const batch = rooms.slice(0, size);
    for (let run = 0; run < warmUp; run++) await rolledBack((tx) => appendMessages(tx, sendsTo(batch)));
    const [pgBefore, wallBefore] = [cpuMicros(backend), performance.now()];
    for (let run = 0; run < runs; run++) await rolledBack((tx) => appendMessages(tx, sendsTo(batch)));
    const pgPerBatch = (cpuMicros(backend) - pgBefore) / runs;
    const wallPerBatch = ((performance.now() - wallBefore) * 1000) / runs;
    rows.push([size, Math.round(pgPerBatch), Math.round(pgPerBatch / size), Math.round(wallPerBatch)]);
  }
  printTable(
    `append probe: ${roomCount} private rooms, ${unread} unread each, ${runs} rolled-back runs per size`,
    ['rows (rooms)', 'PostgreSQL µs / batch', 'µs / row', 'wall µs / batch'],
    rows,
  );
  if (options.explain) {
    const statement = appendStatement(sendsTo(rooms));
    // Through knex as the app's prepared statements go (arrays bound as arrays, not spread into a list).
    const plan = await rolledBack((tx) =>
      tx
        .getKnex()
        .raw<{ rows: { 'QUERY PLAN': string }[] }>(`explain (analyze, costs off) ${statement.text}`, [
          ...(statement.params as Knex.Value[]),
        ])
        .transacting(tx.getTransactionContext<Knex.Transaction>()!),
    );
    console.log(plan.rows.map((line) => line['QUERY PLAN']).join('\n'));
  }
} finally {
  await orm.close();
  await db.drop();
}
