import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Message } from '../entities/index.ts';

/**
 * Message search's statements the query builder cannot say alone: PostgreSQL's own estimate of how many messages
 * match (from the full-text index's word statistics), and the ranked page (`ts_rank_cd` over the newest matches).
 * Each maps its raw row to entity types here, once; tests/statements/search.test.ts reads every column.
 */

const matches = "to_tsvector('simple', m.body) @@ to_tsquery('simple', ?)";
// Cover density, divided by 1 + log(length): words close together in a short message come first.
const rank = "ts_rank_cd(to_tsvector('simple', m.body), to_tsquery('simple', ?), 1)";

/** How many messages the planner expects to match `tsQuery`, and how many the table holds (both at least 1). */
export async function matchEstimate(
  em: EntityManager,
  tsQuery: string,
): Promise<{ matching: number; total: number }> {
  const [[plan], [table]] = await Promise.all([
    em.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[]>(
      `explain (format json) select 1 from messages m where ${matches}`,
      [tsQuery],
    ),
    em.execute<{ rows: number }[]>(
      "select greatest(reltuples, 1) as rows from pg_class where oid = 'messages'::regclass",
    ),
  ]);
  return {
    matching: Math.max(1, Number(plan?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 1)),
    total: Math.max(1, Number(table?.rows ?? 1)),
  };
}

export interface RankedHit {
  id: Message['id'];
  roomId: Message['roomId'];
  rank: number;
}

export interface RankedPageQuery {
  roomIds: number[];
  tsQuery: string;
  /** How many of the newest matches are ranked. */
  candidates: number;
  /** Common words: walk back from the newest message; rarer ones: read the index, then sort what it found. */
  walkNewest: boolean;
  limit: number;
  /** The last hit of the previous page: rank, then id, below it. */
  after?: { rank: number; id: string } | undefined;
}

/** One page of hits, best first: the newest `candidates` matches (not deleted) in the rooms, ranked. */
export async function rankedPage(em: EntityManager, query: RankedPageQuery): Promise<RankedHit[]> {
  const { roomIds, tsQuery, candidates, walkNewest, limit, after } = query;
  const oneRoom = roomIds.length === 1;
  const newest = em
    .createQueryBuilder(Message, 'c')
    .select('c.id')
    .where({ roomId: { $in: roomIds }, deletedAt: null })
    .andWhere(matches.replaceAll('m.', 'c.'), [tsQuery])
    // `id + 0` keeps the planner from walking back when the index is the better way in.
    .orderBy(walkNewest ? (oneRoom ? { seq: 'desc' } : { id: 'desc' }) : { [raw('c.id + 0')]: 'desc' })
    .limit(candidates);
  const page = em
    .createQueryBuilder(Message, 'm')
    .select(['m.id', raw('m.room_id as room_id'), raw(`${rank} as rank`, [tsQuery])])
    .where({ id: { $in: newest.getKnexQuery() } })
    .orderBy({ [raw('rank')]: 'desc', id: 'desc' })
    .limit(limit);
  if (after) page.andWhere(`(${rank}, m.id) < (?::real, ?)`, [tsQuery, after.rank, after.id]);
  const rows = await page.execute<{ id: string | number; room_id: number; rank: number | string }[]>(
    'all',
    false,
  );
  return rows.map((row) => ({ id: String(row.id), roomId: row.room_id, rank: Number(row.rank) }));
}
