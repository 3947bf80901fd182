/**
 * users.search at 100,000 users, then search.messages at a million messages (bench/message-search.ts): builds a throwaway database with the real migrations, fills it with one
 * `insert … select generate_series`, then times the service function the router calls (searchUsers) for each kind
 * of query people type, and prints PostgreSQL's plan so the trigram index can be seen at work.
 *
 *   npm run bench            (all benchmarks)
 *   node --import tsx bench/search.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Orm, openDatabase } from '../src/server/db/orm.ts';
import { searchUsers } from '../src/server/services/users.ts';
import { searchInput } from '../src/shared/people.ts';
import { createScratchDatabase } from './database.ts';
import { runAsScript } from './lib/command-line.ts';
import { percentile } from './lib/stats.ts';
import { benchMessageSearch, fullMessages, quickMessages } from './message-search.ts';

/** The full run's sizes; `--quick` shrinks them so CI can keep the scenario working in seconds. */
const full = { userCount: 100_000, runsPerKind: 300, warmUpRuns: 30 };
const quickSizes = { userCount: 5_000, runsPerKind: 20, warmUpRuns: 5 };
let { userCount, runsPerKind, warmUpRuns } = full;

const firstNames = (
  'Olivia Liam Emma Noah Amelia Oliver Sophia Elijah Isabella Mateo Mia Lucas Charlotte Levi Harper ' +
  'Ezra Evelyn Asher Luna James Camila Leo Gianna Aiden Sofia Hugo Freya Arjun Priya Wei Mei Yuki Kenji ' +
  'Fatima Omar Amara Kofi Ingrid Lars Zoe Mateus Chiara Marta Pavel Olga Dmitri Aoife Siobhan Nia Tariq'
).split(' ');
const lastNames = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez ' +
  'Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark ' +
  'Ramirez Lewis Robinson Walker Young Nakamura Okafor Kowalski Novak Rossi Muller Schmidt Dubois Silva ' +
  'Santos Kim Nguyen Patel Singh Chen Wang Ivanova Larsen Berg Haddad Mensah OBrien Murphy Kelly ' +
  'Fischer Weber Costa Ferreira'
).split(' ');

const sqlArray = (values: string[]) => `array[${values.map((v) => `'${v}'`).join(', ')}]`;

const trigramIndexes = ['users_username_trgm', 'users_display_name_trgm'];

/**
 * 100,000 people in one statement: "Olivia Garcia" as olivia.garcia123, olivia_garcia123 or oliviagarcia123.
 * The viewer (user 1) gets friends, requests both ways, people they blocked and people who blocked them, so the
 * relation of every hit is worked out against real rows.
 */
async function fillDatabase(em: EntityManager): Promise<void> {
  // 100,000 rows go into the trigram indexes far quicker through GIN's pending list; the vacuum below empties it.
  for (const index of trigramIndexes) await em.execute(`alter index ${index} set (fastupdate = on)`);
  await em.execute(`
    insert into users (username, display_name, email, password_hash, created_at)
    select lower(pick.f) || (array['.', '_', ''])[1 + i % 3] || lower(pick.l) || i,
           pick.f || ' ' || pick.l,
           'person' || i || '@bench.example.com',
           '$argon2id$v=19$bench$not-a-real-hash',
           now() - make_interval(mins => i)
    from generate_series(1, ${userCount}) as i,
    lateral (select
      (${sqlArray(firstNames)})[1 + abs(hashtext('first' || i)) % ${firstNames.length}] as f,
      (${sqlArray(lastNames)})[1 + abs(hashtext('last' || i)) % ${lastNames.length}] as l) as pick`);
  await em.execute(
    'insert into friendships (user_low, user_high) select 1, i from generate_series(2, 201) i',
  );
  await em.execute(
    'insert into blocks (blocker_id, blocked_id) select 1, i from generate_series(202, 211) i',
  );
  await em.execute(
    'insert into blocks (blocker_id, blocked_id) select i, 1 from generate_series(212, 221) i',
  );
  await em.execute(
    'insert into friend_requests (from_id, to_id) select i, 1 from generate_series(222, 271) i',
  );
  await em.execute(
    'insert into friend_requests (from_id, to_id) select 1, i from generate_series(272, 321) i',
  );
  // The vacuum moves the pending rows into the trigram indexes, which every trigram search would otherwise read
  // through (a search for a name no one has took 2–6 ms instead of 0.1); then they take rows directly, as Parley's
  // do (migration people_trigram_no_pending).
  await em.execute('vacuum analyze');
  for (const index of trigramIndexes) await em.execute(`alter index ${index} set (fastupdate = off)`);
}

interface Kind {
  name: string;
  queries: string[];
}

async function queryKinds(em: EntityManager): Promise<Kind[]> {
  const rows = await em.execute<{ username: string; display_name: string }[]>(
    'select username, display_name from users where id in (4242, 25000, 50001, 77777, 99999) order by id',
  );
  return [
    { name: 'exact username', queries: rows.map((r) => r.username) },
    { name: 'exact display name', queries: rows.map((r) => r.display_name) },
    { name: 'prefix, 3+ chars', queries: ['oli', 'sophi', 'mart', 'kenj', 'charl'] },
    { name: 'substring, 3+ chars', queries: ['ohns', 'ernan', 'illia', 'akam', 'onzal'] },
    {
      name: 'prefix + substring, 8+',
      queries: ['olivia.ga', 'emma_mur', 'priyapat', 'zoe.kim1', 'hugosilva'],
    },
    { name: '2 chars', queries: ['ol', 'ma', 'er', 'zo', 'ki'] },
    { name: 'no match', queries: ['qxzv', 'zzqqy', 'xjwqk', 'vvbq', 'jqxz'] },
  ];
}

const viewerId = 1;

async function searchOnce(orm: Orm, query: string): Promise<{ ms: number; hits: number }> {
  const em = orm.em.fork() as EntityManager;
  const started = performance.now();
  const page = await searchUsers(em, viewerId, searchInput.parse({ query }));
  return { ms: performance.now() - started, hits: page.items.length };
}

async function measure(orm: Orm, kind: Kind) {
  for (let i = 0; i < warmUpRuns; i++) await searchOnce(orm, kind.queries[i % kind.queries.length]!);
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < runsPerKind; i++) {
    const result = await searchOnce(orm, kind.queries[i % kind.queries.length]!);
    times.push(result.ms);
    hits += result.hits;
  }
  times.sort((a, b) => a - b);
  return {
    kind: kind.name,
    runs: runsPerKind,
    'p50 ms': percentile(times, 50).toFixed(2),
    'p99 ms': percentile(times, 99).toFixed(2),
    'max ms': (times.at(-1) ?? Number.NaN).toFixed(2),
    'hits/page': (hits / runsPerKind).toFixed(1),
  };
}

/** Runs searchUsers once with its SQL captured, then EXPLAINs exactly that SQL (with `options`). */
async function explain(orm: Orm, query: string, options = 'analyze, buffers'): Promise<string[]> {
  const em = orm.em.fork() as EntityManager;
  const captured: { text: string; params: unknown[] }[] = [];
  const execute = em.execute.bind(em);
  em.execute = ((text: string, params: unknown[] = []) => {
    captured.push({ text, params });
    return execute(text, params);
  }) as EntityManager['execute'];
  await searchUsers(em, viewerId, searchInput.parse({ query }));
  const search = captured[0];
  if (!search) throw new Error('searchUsers ran no SQL');
  const plan = await orm.em
    .fork()
    .execute<Record<string, string>[]>(`explain (${options}) ${search.text}`, search.params);
  return plan.map((row) => row['QUERY PLAN'] ?? '');
}

/**
 * PostgreSQL's own planning and execution time for a kind's statement, the median over its queries: apart from
 * the round trip and the Node side, which a busy machine inflates.
 */
async function databaseTimes(orm: Orm, kind: Kind) {
  const planning: number[] = [];
  const execution: number[] = [];
  for (const query of kind.queries) {
    const summary = await explain(orm, query, 'analyze, timing off, summary');
    const ms = (label: string) =>
      Number(summary.find((line) => line.startsWith(label))?.match(/[\d.]+/)?.[0] ?? Number.NaN);
    planning.push(ms('Planning Time'));
    execution.push(ms('Execution Time'));
  }
  planning.sort((a, b) => a - b);
  execution.sort((a, b) => a - b);
  return {
    'db planning ms': percentile(planning, 50).toFixed(2),
    'db execution ms': percentile(execution, 50).toFixed(2),
  };
}

function printPlan(title: string, plan: string[]): void {
  const indexes = [...new Set(plan.join('\n').match(/users_\w+_(trgm|prefix)/g) ?? [])];
  console.log(`\n${title}`);
  console.log(`  indexes used: ${indexes.length ? indexes.join(', ') : 'none (sequential scan)'}`);
  for (const line of plan) console.log(`  ${line}`);
}

export async function runSearchBench(options: { quick?: boolean; messages?: boolean } = {}): Promise<void> {
  ({ userCount, runsPerKind, warmUpRuns } = options.quick ? quickSizes : full);
  const database = await createScratchDatabase('parley_bench');
  const dropOnInterrupt = () => {
    void database.drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', dropOnInterrupt);
  let orm: Orm | undefined;
  try {
    console.log(`users.search bench: ${userCount.toLocaleString('en')} users, ${runsPerKind} runs per kind`);
    orm = await openDatabase(database.url);
    const started = performance.now();
    await fillDatabase(orm.em.fork() as EntityManager);
    console.log(`filled and analysed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const kinds = await queryKinds(orm.em.fork() as EntityManager);
    const results = [];
    for (const kind of kinds)
      results.push({ ...(await measure(orm, kind)), ...(await databaseTimes(orm, kind)) });
    console.table(results);
    mkdirSync('bench/results', { recursive: true });
    printPlan(
      "EXPLAIN ANALYZE, substring query 'ernan' (as searchUsers sends it)",
      await explain(orm, 'ernan'),
    );
    printPlan("EXPLAIN ANALYZE, 3-character prefix query 'oli'", await explain(orm, 'oli'));
    printPlan("EXPLAIN ANALYZE, 2-character query 'zo'", await explain(orm, 'zo'));
    const messages =
      options.messages === false
        ? null
        : await benchMessageSearch(orm, options.quick ? quickMessages : fullMessages);
    writeFileSync(
      'bench/results/search.json',
      `${JSON.stringify({ at: new Date().toISOString(), userCount, results, messages }, null, 2)}\n`,
    );
  } finally {
    await orm?.close();
    await database.drop();
    process.off('SIGINT', dropOnInterrupt);
  }
}

if (runAsScript(import.meta.url)) await runSearchBench();
