import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageSearchInput, Snippet } from '../../../shared/search.ts';
import { matchEstimate, rankedPage } from '../../db/statements/search.ts';
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

/**
 * Whether the words are in so many messages that walking back from the newest finds enough of them sooner than
 * reading the index does. PostgreSQL's own estimate (from the index's word statistics) decides: its planner knows
 * how common the words are, but prices the words' re-reading far too low to make this choice itself.
 */
async function wordsAreCommon(em: EntityManager, tsQuery: string): Promise<boolean> {
  const { matching, total } = await matchEstimate(em, tsQuery);
  return (rankedCandidates * total) / matching <= newestWalkLimit;
}

/** Full-text search over the messages a person can read: one room, or all of theirs. */
export async function searchMessages(em: EntityManager, userId: number, input: MessageSearchInput) {
  const tsQuery = toTsQuery(input.query);
  // Independent questions go out together: each round trip counts on a busy server.
  const [roomIds, common] = await Promise.all([
    roomsToSearch(em, userId, input.roomId),
    wordsAreCommon(em, tsQuery),
  ]);
  const [afterRank, afterId] = input.cursor ? input.cursor.split(':') : [];
  const rows = await rankedPage(em, {
    roomIds,
    tsQuery,
    candidates: rankedCandidates,
    walkNewest: common,
    limit: input.limit + 1,
    after: afterId ? { rank: Number(afterRank), id: afterId } : undefined,
  });
  const page = rows.slice(0, input.limit);
  const [messages, rooms] = await Promise.all([
    messagesByIds(
      em,
      page.map((row) => row.id),
    ),
    hitRooms(em, userId, [...new Set(page.map((row) => row.roomId))]),
  ]);
  const items: MessageHit[] = messages.flatMap((message) => {
    const room = rooms.get(message.roomId);
    return room ? [{ message, room, snippet: snippetOf(message.body, input.query) }] : [];
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? `${last.rank}:${last.id}` : null };
}
