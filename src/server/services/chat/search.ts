import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageSearchInput, Snippet } from '../../../shared/search.ts';
import { Block, Message, Room, User } from '../../db/entities/index.ts';
import type { MessageView } from './messages.ts';
import { messagesByIds } from './messages-by-id.ts';
import { authorizeRead } from './rooms.ts';
import { snippetOf, toTsQuery } from './search-snippet.ts';

/**
 * How many of the newest matches are ranked. Ranking reads every candidate's words again, so it is bounded: a word
 * found in half a million messages costs no more than a rare one. In a chat, the newest matches are the ones
 * people look for; an older one is found with one more word.
 */
export const rankedCandidates = 200;
/** Walking back from the newest message pays off when the candidates are expected within this many messages. */
const newestWalkLimit = 5_000;

/** Where a hit is: the room, named as the reader's room list names it (a private room by the other person). */
export interface HitRoom {
  id: number;
  kind: 'public' | 'private';
  name: string;
}

export interface MessageHit {
  message: MessageView;
  room: HitRoom;
  snippet: Snippet;
}

/** The rooms of a page of hits, by id, with their names for the reader. */
async function hitRooms(em: EntityManager, userId: number, roomIds: number[]): Promise<Map<number, HitRoom>> {
  const rooms = await em.find(
    Room,
    { id: { $in: roomIds } },
    { fields: ['id', 'kind', 'name', 'userLow', 'userHigh'] },
  );
  const otherOf = (room: (typeof rooms)[number]) => (room.userLow === userId ? room.userHigh : room.userLow);
  const otherIds = rooms.flatMap((room) => (room.kind === 'private' ? [otherOf(room) ?? 0] : []));
  const others = await em.find(User, { id: { $in: otherIds } }, { fields: ['id', 'displayName'] });
  const names = new Map(others.map((user) => [user.id, user.displayName]));
  return new Map(
    rooms.map((room) => [
      room.id,
      { id: room.id, kind: room.kind, name: names.get(otherOf(room) ?? 0) ?? room.name },
    ]),
  );
}

const matches = "to_tsvector('simple', m.body) @@ to_tsquery('simple', ?)";
// Cover density, divided by 1 + log(length): words close together in a short message come first.
const rank = "ts_rank_cd(to_tsvector('simple', m.body), to_tsquery('simple', ?), 1)";

/**
 * The rooms a person can search: the public room and their private rooms (still after an unfriend, as their
 * history stays readable), but not a room with someone who blocked them, which their room list leaves out too.
 */
async function searchableRoomIds(em: EntityManager, userId: number): Promise<number[]> {
  const rooms = await em.find(
    Room,
    { $or: [{ kind: 'public' }, { userLow: userId }, { userHigh: userId }] },
    { fields: ['id', 'kind', 'userLow', 'userHigh'] },
  );
  const blockers = new Set((await em.find(Block, { blockedId: userId })).map((block) => block.blockerId));
  const other = (room: Pick<Room, 'userLow' | 'userHigh'>) =>
    room.userLow === userId ? room.userHigh : room.userLow;
  return rooms
    .filter((room) => room.kind === 'public' || !blockers.has(other(room) ?? 0))
    .map((room) => room.id);
}

/**
 * Whether the words are in so many messages that walking back from the newest finds enough of them sooner than
 * reading the index does. PostgreSQL's own estimate (from the index's word statistics) decides: its planner knows
 * how common the words are, but prices the words' re-reading far too low to make this choice itself.
 */
async function wordsAreCommon(em: EntityManager, tsQuery: string): Promise<boolean> {
  const [estimate] = await em.execute<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[]>(
    `explain (format json) select 1 from messages m where ${matches}`,
    [tsQuery],
  );
  const [table] = await em.execute<{ rows: number }[]>(
    "select greatest(reltuples, 1) as rows from pg_class where oid = 'messages'::regclass",
  );
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
async function rankedPage(em: EntityManager, roomIds: number[], input: MessageSearchInput, tsQuery: string) {
  const candidates = candidatesQuery(em, roomIds, tsQuery, await wordsAreCommon(em, tsQuery));
  const page = em
    .createQueryBuilder(Message, 'm')
    .select(['m.id', raw(`${rank} as rank`, [tsQuery])])
    .where({ id: { $in: candidates.getKnexQuery() } })
    .orderBy({ [raw('rank')]: 'desc', id: 'desc' })
    .limit(input.limit + 1);
  if (input.cursor) {
    const [afterRank, afterId] = input.cursor.split(':');
    page.andWhere(`(${rank}, m.id) < (?::real, ?)`, [tsQuery, Number(afterRank), afterId]);
  }
  return page.execute<{ id: string; rank: number }[]>('all', false);
}

/** Full-text search over the messages a person can read: one room, or all of theirs. */
export async function searchMessages(em: EntityManager, userId: number, input: MessageSearchInput) {
  const roomIds = input.roomId
    ? [(await authorizeRead(em, input.roomId, userId)).id]
    : await searchableRoomIds(em, userId);
  const rows = await rankedPage(em, roomIds, input, toTsQuery(input.query));
  const page = rows.slice(0, input.limit);
  const messages = await messagesByIds(
    em,
    page.map((row) => String(row.id)),
  );
  const rooms = await hitRooms(em, userId, [...new Set(messages.map((message) => message.roomId))]);
  const items: MessageHit[] = messages.flatMap((message) => {
    const room = rooms.get(message.roomId);
    return room ? [{ message, room, snippet: snippetOf(message.body, input.query) }] : [];
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? `${last.rank}:${last.id}` : null };
}
