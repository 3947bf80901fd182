import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageSearchInput, Snippet } from '../../../shared/search.ts';
import { type HitRoom, matchEstimate, searchPage } from '../../db/statements/search.ts';
import { type MessageView, messageViewOf } from '../../views/chat.ts';
import { authorizeRead } from './rooms.ts';
import { snippetOf, toTsQuery } from './search-snippet.ts';

/**
 * How many of the newest matches are ranked. Ranking reads every candidate's words, so it is bounded: a word
 * found in half a million messages costs no more than a rare one. In a chat, the newest matches are the ones
 * people look for; an older one is found with one more word.
 */
export const rankedCandidates = 200;
/**
 * Walking back from the newest message pays off when the candidates are expected within this many messages: each
 * one walked past costs a look at its stored words, each one the index finds a visit to its own table page.
 */
const newestWalkLimit = 20_000;

export interface MessageHit {
  message: MessageView;
  room: HitRoom;
  snippet: Snippet;
}

/**
 * Whether the words are in so many messages that walking back from the newest finds enough of them sooner than
 * reading the index does. PostgreSQL's own estimate (from the words' statistics) decides: its planner knows how
 * common the words are, but prices the index's visits to table pages as if they were read from disk.
 */
async function wordsAreCommon(em: EntityManager, tsQuery: string): Promise<boolean> {
  const { matching, total } = await matchEstimate(em, tsQuery);
  return (rankedCandidates * total) / matching <= newestWalkLimit;
}

/** The room asked for, if the reader may read it (an error if not); undefined for all of theirs. */
async function roomAsked(em: EntityManager, userId: number, roomId: number | null | undefined) {
  return roomId ? (await authorizeRead(em, roomId, userId)).id : undefined;
}

/** Full-text search over the messages a person can read: one room, or all of theirs. */
export async function searchMessages(em: EntityManager, userId: number, input: MessageSearchInput) {
  const tsQuery = toTsQuery(input.query);
  // Independent questions go out together: each round trip counts on a busy server.
  const [roomId, common] = await Promise.all([
    roomAsked(em, userId, input.roomId),
    wordsAreCommon(em, tsQuery),
  ]);
  const [afterRank, afterId] = input.cursor ? input.cursor.split(':') : [];
  const hits = await searchPage(em, {
    readerId: userId,
    roomId,
    tsQuery,
    candidates: rankedCandidates,
    walkNewest: common,
    limit: input.limit + 1,
    after: afterId ? { rank: Number(afterRank), id: afterId } : undefined,
  });
  const page = hits.slice(0, input.limit);
  const items: MessageHit[] = page.map((hit) => {
    const message = messageViewOf(hit.message);
    return { message, room: hit.room, snippet: snippetOf(message.body, input.query) };
  });
  const last = page.at(-1);
  return { items, nextCursor: hits.length > input.limit && last ? `${last.rank}:${last.message.id}` : null };
}
