/**
 * search.messages over a million messages (part of the `search` scenario, bench/search.ts): fills the messages
 * table with one `insert … select generate_series` of chat-like sentences (a Zipf-like mix of common and rare
 * words, plus ticket numbers and names), then times the service the router calls for each kind of search people
 * type, as one reader of the public room and 25 private rooms, against the issue's target: p99 ≤ 50 ms.
 */
import { performance } from 'node:perf_hooks';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../src/server/db/orm.ts';
import { searchMessages } from '../src/server/services/chat/search.ts';
import { messageSearchInput } from '../src/shared/search.ts';
import { percentile } from './lib/stats.ts';

export const fullMessages = { messageCount: 1_000_000, runsPerKind: 200, warmUpRuns: 20 };
export const quickMessages = { messageCount: 20_000, runsPerKind: 10, warmUpRuns: 2 };
export const targetP99Ms = 50;

/** Most frequent first: a word's chance of being picked falls steeply down the list, as in real chat. */
const vocabulary = (
  'the i you to a and it is that of in for we on this my be with have so just do at not can are was what ' +
  'but if will get me all your like now there know about up out think one good time yes no going here ' +
  'when how they today see need would should did then work tomorrow back make thanks okay really want go ' +
  'let lunch meeting call later right still sure new people something week morning night weekend coffee ' +
  'release deploy build test broken fixed review merge branch server database login password email ' +
  'ticket issue bug feature design docs screen phone laptop office home train late early birthday cake ' +
  'movie music game football weather rain snow sun holiday trip flight hotel beach mountain dinner ' +
  'pizza sushi tea beer party friday monday tuesday wednesday thursday saturday sunday january march ' +
  'june september december kitchen garden dog cat bike car bus budget invoice contract customer ' +
  'meetup conference slides demo prototype roadmap sprint standup retro backlog hotfix rollback ' +
  'latency throughput cache index query migration schema postgres redis socket browser chromium ' +
  'café naïve résumé straße größe daß ñandú zürich kraków ålesund søren'
).split(' ');

const sqlArray = (values: string[]) => `array[${values.map((v) => `'${v}'`).join(', ')}]`;

/** The viewer (user 1) shares 25 private rooms; 25 more are other people's, which no search of theirs may reach. */
export async function fillMessages(em: EntityManager, messageCount: number): Promise<void> {
  await em.execute(`
    insert into rooms (kind, name, user_low, user_high)
    select 'private', 'Direct message', case when i <= 25 then 1 else i end, i + 1000
    from generate_series(2, 51) as i`);
  // Building the index once after the insert is far quicker than keeping it up to date row by row; it is built
  // again as the entity declares it (its storage parameters too).
  const searchIndex = em
    .getMetadata()
    .get('Message')
    .indexes.find((index) => index.name === 'messages_body_search')?.expression;
  if (typeof searchIndex !== 'string') throw new Error('The Message entity declares no messages_body_search');
  await em.execute('drop index messages_body_search');
  await em.execute(`
    insert into messages (room_id, seq, sender_id, client_id, body, created_at)
    select room.id, i, 1 + i % 2000, 'bench_' || i, words.body, now() - make_interval(secs => ${messageCount} - i)
    from generate_series(1, ${messageCount}) as i,
    lateral (select case when i % 5 = 0 then 2 + i % 50 else 1 end as id) as room,
    lateral (
      select string_agg(
        (${sqlArray(vocabulary)})[1 + floor(power(random(), 3) * ${vocabulary.length})::int], ' ')
        || case when i % 7 = 0 then ' ticket' || (i % 5000) else '' end as body
      from generate_series(1, 3 + abs(hashtext('length' || i)) % 12)) as words`);
  await em.execute(searchIndex);
  await em.execute(
    'update rooms r set position = coalesce((select max(seq) from messages m where m.room_id = r.id), 0)',
  );
  await em.execute('analyze');
}

interface Kind {
  name: string;
  queries: { query: string; roomId?: number }[];
}

const kinds: Kind[] = [
  {
    name: 'common word (most messages)',
    queries: ['the', 'you', 'and', 'this', 'that'].map((query) => ({ query })),
  },
  {
    name: 'two words',
    queries: ['coffee tomorrow', 'deploy broken', 'lunch friday', 'review branch', 'rain weekend'].map(
      (query) => ({ query }),
    ),
  },
  {
    name: 'rare word (ticket number)',
    queries: ['ticket42', 'ticket4999', 'ticket1234', 'ticket777', 'ticket2500'].map((query) => ({ query })),
  },
  {
    name: 'prefix of a word',
    queries: ['meet', 'deplo', 'coff', 'birthd', 'rollb'].map((query) => ({ query })),
  },
  {
    name: 'accented word',
    queries: ['café', 'zürich', 'straße', 'søren', 'kraków'].map((query) => ({ query })),
  },
  {
    name: 'one private room',
    queries: ['coffee', 'the', 'release', 'ticket42', 'pizza'].map((query, i) => ({
      query,
      roomId: 2 + 5 * i,
    })),
  },
  { name: 'no match', queries: ['qxzv', 'zzqqy', 'xjwqk', 'vvbq', 'jqxz'].map((query) => ({ query })) },
];

const viewerId = 1;

async function searchOnce(orm: Orm, search: { query: string; roomId?: number }) {
  const em = orm.em.fork() as EntityManager;
  const started = performance.now();
  const page = await searchMessages(em, viewerId, messageSearchInput.parse(search));
  return { ms: performance.now() - started, hits: page.items.length };
}

async function measure(orm: Orm, kind: Kind, runs: number, warmUps: number) {
  const pick = (i: number) => kind.queries[i % kind.queries.length]!;
  for (let i = 0; i < warmUps; i++) await searchOnce(orm, pick(i));
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < runs; i++) {
    const result = await searchOnce(orm, pick(i));
    times.push(result.ms);
    hits += result.hits;
  }
  times.sort((a, b) => a - b);
  const p99 = percentile(times, 99);
  return {
    kind: kind.name,
    runs,
    'p50 ms': percentile(times, 50).toFixed(2),
    'p99 ms': p99.toFixed(2),
    'target p99': `≤ ${targetP99Ms}`,
    met: p99 <= targetP99Ms ? 'yes' : 'NO',
    'hits/page': (hits / runs).toFixed(1),
  };
}

/**
 * PostgreSQL's own time for the page statement of one search (EXPLAIN ANALYZE of exactly what the service sent:
 * candidates, ranking and the page's messages), and how it found the candidates: apart from the round trips and
 * the Node side, which a busy machine inflates.
 */
async function databaseTime(orm: Orm, search: { query: string; roomId?: number }) {
  const em = orm.em.fork() as EntityManager;
  const connection = em.getConnection();
  const execute = connection.execute.bind(connection);
  const captured: { sql: string; params: unknown[] }[] = [];
  connection.execute = ((sql: string, params: unknown[] = [], ...rest: never[]) => {
    if (typeof sql === 'string' && sql.includes('ts_rank_cd')) captured.push({ sql, params });
    return execute(sql, params, ...rest);
  }) as typeof connection.execute;
  await searchMessages(em, viewerId, messageSearchInput.parse(search));
  const statement = captured[0];
  if (!statement) return { 'database ms': '-', candidates: '-' };
  const plan = await orm.em
    .fork()
    .execute<Record<string, string>[]>(`explain analyze ${statement.sql}`, statement.params);
  const lines = plan.map((row) => row['QUERY PLAN'] ?? '');
  const walked = lines.some((line) => /Index Scan Backward/.test(line));
  return {
    'database ms': lines.find((line) => line.startsWith('Execution Time'))?.match(/[\d.]+/)?.[0] ?? '-',
    candidates: walked ? 'walk back from newest' : 'GIN index, then sort',
  };
}

/** Fills the database (users already there: the senders) and measures each kind of message search. */
export async function benchMessageSearch(orm: Orm, sizes: typeof fullMessages) {
  const started = performance.now();
  await fillMessages(orm.em.fork() as EntityManager, sizes.messageCount);
  console.log(
    `\nsearch.messages bench: ${sizes.messageCount.toLocaleString('en')} messages, filled and indexed in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s; ${sizes.runsPerKind} runs per kind`,
  );
  const results = [];
  for (const kind of kinds) results.push(await measure(orm, kind, sizes.runsPerKind, sizes.warmUpRuns));
  console.table(results);
  const plans = [];
  for (const kind of kinds) plans.push({ kind: kind.name, ...(await databaseTime(orm, kind.queries[0]!)) });
  console.log('\nThe page statement of the first query of each kind, as PostgreSQL ran it:');
  console.table(plans);
  return { messageCount: sizes.messageCount, results, plans };
}
