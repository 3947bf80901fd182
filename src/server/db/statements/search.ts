import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageWithSender } from '../../views/chat.ts';
import type { Room } from '../entities/index.ts';
import { type MessageWithSenderRow, messageOfRow, messageWithSenderColumns } from './chat.ts';
import { query, queryOne, Sql, sql } from './sql.ts';

/**
 * Message search's statements: PostgreSQL's own estimate of how many messages match (from the word statistics of
 * `messages.search_vector`), and the page of hits, found, ranked and loaded in one statement. Each maps its raw row
 * to entity types here, once; tests/statements/search.test.ts reads every column.
 */

/** Whether the message under `alias` has every word of `tsQuery` (see `toTsQuery`). */
const matches = (alias: 'c' | 'm', tsQuery: string) =>
  new Sql(`${alias}.search_vector @@ to_tsquery('simple', ?)`, [tsQuery]);

interface PlanNode {
  'Plan Rows': number;
  Plans?: PlanNode[];
}

/**
 * How many messages the planner expects to match `tsQuery`, and how many the table holds (both at least 1): one
 * EXPLAIN of both questions side by side (the plan's two branches), not run.
 */
export async function matchEstimate(
  em: EntityManager,
  tsQuery: string,
): Promise<{ matching: number; total: number }> {
  const row = await queryOne<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    em,
    sql`explain (format json) select 1 from messages m where ${matches('m', tsQuery)}
      union all select 1 from messages`,
  );
  const [matching, total] = row?.['QUERY PLAN'][0].Plan.Plans ?? [];
  return {
    matching: Math.max(1, Number(matching?.['Plan Rows'] ?? 1)),
    total: Math.max(1, Number(total?.['Plan Rows'] ?? 1)),
  };
}

/** Where a hit is: the room, named as the reader's room list names it (a private room by the other person). */
export interface HitRoom {
  id: Room['id'];
  kind: Room['kind'];
  name: string;
}

export interface SearchHit {
  message: MessageWithSender;
  room: HitRoom;
  rank: number;
}

export interface SearchPageQuery {
  readerId: number;
  /** One room the reader may read; without it, every room they can search. */
  roomId?: number | undefined;
  tsQuery: string;
  /** How many of the newest matches are ranked. */
  candidates: number;
  /** Common words: walk back from the newest message; rarer ones: read the index, then sort what it found. */
  walkNewest: boolean;
  limit: number;
  /** The last hit of the previous page: rank, then id, below it. */
  after?: { rank: number; id: string } | undefined;
}

/**
 * The rooms a person can search: the public room and their private rooms (still after an unfriend, as their
 * history stays readable), but not a room with someone who blocked them, which their room list leaves out too.
 */
const searchableRooms = (readerId: number) => sql`array(select r.id from rooms r
  where r.kind = 'public' or (${readerId} in (r.user_low, r.user_high) and not exists (
    select 1 from blocks b where b.blocked_id = ${readerId}
      and b.blocker_id = case when r.user_low = ${readerId} then r.user_high else r.user_low end)))`;

/** The newest `candidates` matches, not deleted, in the rooms searched. */
function newestMatches(search: SearchPageQuery): Sql {
  const { readerId, roomId, tsQuery, candidates, walkNewest } = search;
  const inRooms = roomId ? sql`c.room_id = ${roomId}` : sql`c.room_id = any(${searchableRooms(readerId)})`;
  // `+ 0` keeps the planner from walking back when the index is the better way in; one room walks its own
  // messages, newest first.
  const newestFirst = !walkNewest ? sql`c.id + 0` : roomId ? sql`c.seq` : sql`c.id`;
  return sql`select c.id from messages c
    where ${inRooms} and c.deleted_at is null and ${matches('c', tsQuery)}
    order by ${newestFirst} desc limit ${candidates}`;
}

interface SearchHitRow extends MessageWithSenderRow {
  rank: number | string;
  room_kind: Room['kind'];
  room_name: string;
}

/**
 * One page of hits, best first, each with its message as history shows it and its room as the reader's room list
 * names it: the newest `candidates` matches ranked by cover density (`ts_rank_cd`, divided by 1 + log(length):
 * words close together in a short message come first), then the page's messages loaded, in one statement.
 */
export async function searchPage(em: EntityManager, search: SearchPageQuery): Promise<SearchHit[]> {
  const { readerId, tsQuery, limit, after } = search;
  const below = after ? sql`where (rank, id) < (${after.rank}::real, ${after.id}::bigint)` : sql``;
  const rows = await query<SearchHitRow>(
    em,
    sql`with ranked as (
        select m.id, ts_rank_cd(m.search_vector, to_tsquery('simple', ${tsQuery}), 1) as rank
        from messages m where m.id in (${newestMatches(search)})),
      page as (select id, rank from ranked ${below} order by rank desc, id desc limit ${limit})
      select page.rank, ${messageWithSenderColumns}, r.kind as room_kind,
        coalesce(other.display_name, r.name) as room_name
      from page join messages m on m.id = page.id join users u on u.id = m.sender_id
        join rooms r on r.id = m.room_id
        left join users other on r.kind = 'private'
          and other.id = case when r.user_low = ${readerId} then r.user_high else r.user_low end
      order by page.rank desc, page.id desc`,
  );
  return rows.map((row) => ({
    message: messageOfRow(row),
    room: { id: row.room_id, kind: row.room_kind, name: row.room_name },
    rank: Number(row.rank),
  }));
}
