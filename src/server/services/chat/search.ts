import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageSearchInput, Snippet } from '../../../shared/search.ts';
import { Message } from '../../db/entities/index.ts';
import type { MessageView } from './messages.ts';
import { messagesByIds } from './messages.ts';
import { type HitRoom, hitRooms, roomsToSearch } from './search-rooms.ts';
import { snippetOf, toTsQuery } from './search-snippet.ts';

/**
 * How many of the newest matches are ranked. Ranking reads every candidate's words again, so it is bounded: a word
 * found in half a million messages costs no more than a rare one. In a chat, the newest matches are the ones
 * people look for; an older one is found with one more word.
 */
export const rankedCandidates = 200;
/** Walking back from the newest message pays off when the candidates are expected within this many messages. */
const newestWalkLimit = 5_000;

export interface MessageHit {
  message: MessageView;
  room: HitRoom;
  snippet: Snippet;
}

const matches = "to_tsvector('simple', m.body) @@ to_tsquery('simple', ?)";
// Cover density, divided by 1 + log(length): words close together in a short message come first.
const rank = "ts_rank_cd(to_tsvector('simple', m.body), to_tsquery('simple', ?), 1)";

/**
 * Whether the words are in so many messages that walking back from the newest finds enough of them sooner than
 * reading the index does. PostgreSQL's own estimate (from the index's word statistics) decides: its planner knows
 * how common the words are, but prices the words' re-reading far too low to make this choice itself.
 */
async function wordsAreCommon(em: EntityManager, tsQuery: string): Promise<boolean> {
  const [[estimate], [table]] = await Promise.all([
    em.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[]>(
      `explain (format json) select 1 from messages m where ${matches}`,
      [tsQuery],
    ),
    em.execute<{ rows: number }[]>(
      "select greatest(reltuples, 1) as rows from pg_class where oid = 'messages'::regclass",
    ),
  ]);
  const matching = Math.max(1, estimate?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 1);
  return (rankedCandidates * (table?.rows ?? 1)) / matching <= newestWalkLimit;
}

/** The newest matches, as the ids of the candidates to rank. */
function candidatesQuery(em: EntityManager, roomIds: number[], tsQuery: string, common: boolean) {
  const oneRoom = roomIds.length === 1;
  return (
    em
      .createQueryBuilder(Message, 'c')
      .select('c.id')
      .where({ roomId: { $in: roomIds }, deletedAt: null })
      .andWhere(matches.replaceAll('m.', 'c.'), [tsQuery])
      // Common words: walk back through the room's messages (or all of them) from the newest. Rarer ones: read
      // the index, then sort what it found (`id + 0` keeps the planner from walking instead).
      .orderBy(common ? (oneRoom ? { seq: 'desc' } : { id: 'desc' }) : { [raw('c.id + 0')]: 'desc' })
      .limit(rankedCandidates)
  );
}

/** The ids of one page of hits, best first: the newest matches, ranked, after the cursor's hit. */
function rankedPage(
  em: EntityManager,
  roomIds: number[],
  input: MessageSearchInput,
  tsQuery: string,
  common: boolean,
) {
  const candidates = candidatesQuery(em, roomIds, tsQuery, common);
  const page = em
    .createQueryBuilder(Message, 'm')
    .select(['m.id', raw('m.room_id as room_id'), raw(`${rank} as rank`, [tsQuery])])
    .where({ id: { $in: candidates.getKnexQuery() } })
    .orderBy({ [raw('rank')]: 'desc', id: 'desc' })
    .limit(input.limit + 1);
  if (input.cursor) {
    const [afterRank, afterId] = input.cursor.split(':');
    page.andWhere(`(${rank}, m.id) < (?::real, ?)`, [tsQuery, Number(afterRank), afterId]);
  }
  return page.execute<{ id: string; room_id: number; rank: number }[]>('all', false);
}

/** Full-text search over the messages a person can read: one room, or all of theirs. */
export async function searchMessages(em: EntityManager, userId: number, input: MessageSearchInput) {
  const tsQuery = toTsQuery(input.query);
  // Independent questions go out together: each round trip counts on a busy server.
  const [roomIds, common] = await Promise.all([
    roomsToSearch(em, userId, input.roomId),
    wordsAreCommon(em, tsQuery),
  ]);
  const rows = await rankedPage(em, roomIds, input, tsQuery, common);
  const page = rows.slice(0, input.limit);
  const [messages, rooms] = await Promise.all([
    messagesByIds(
      em,
      page.map((row) => String(row.id)),
    ),
    hitRooms(em, userId, [...new Set(page.map((row) => row.room_id))]),
  ]);
  const items: MessageHit[] = messages.flatMap((message) => {
    const room = rooms.get(message.roomId);
    return room ? [{ message, room, snippet: snippetOf(message.body, input.query) }] : [];
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? `${last.rank}:${last.id}` : null };
}
