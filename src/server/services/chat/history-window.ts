import type { EntityManager } from '@mikro-orm/postgresql';
import { messagesAfter, messagesBefore } from '../../db/statements/chat.ts';
import { messageViewOf } from '../../views/chat.ts';

/**
 * History away from the newest message: around one (a search hit, the first unread) or just after one (scrolling
 * down from there). Items are newest first as in every history page; `nextCursor` is the `beforeSeq` of the next
 * older page and `newerCursor` the `afterSeq` of the next newer one, null once the window reaches the newest.
 */
async function historyWindow(
  em: EntityManager,
  roomId: number,
  seq: number,
  olderCount: number,
  newerCount: number,
) {
  const [older, newer] = await Promise.all([
    messagesBefore(em, roomId, seq + 1, olderCount + 1),
    messagesAfter(em, roomId, seq, newerCount + 1),
  ]);
  const items = [...newer.slice(0, newerCount).reverse(), ...older.slice(0, olderCount)].map(messageViewOf);
  return {
    items,
    nextCursor: older.length > olderCount ? (items.at(-1)?.seq ?? seq + 1) : null,
    newerCursor: newer.length > newerCount ? (items[0]?.seq ?? seq) : null,
  };
}

/** About half the page before the message at `seq` (it included), the rest after it. */
export function historyAround(em: EntityManager, roomId: number, seq: number, limit: number) {
  const olderCount = Math.ceil(limit / 2);
  return historyWindow(em, roomId, seq, olderCount, limit - olderCount);
}

/** The `limit` messages just after `seq`. */
export function historyAfter(em: EntityManager, roomId: number, seq: number, limit: number) {
  return historyWindow(em, roomId, seq, 0, limit);
}
