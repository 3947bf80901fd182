import type { EntityManager } from '@mikro-orm/postgresql';
import { Message } from '../../db/entities/index.ts';
import { messagesByIds } from './messages-by-id.ts';

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
  const older = await em.find(
    Message,
    { roomId, seq: { $lte: seq } },
    { fields: ['id'], orderBy: { seq: 'desc' }, limit: olderCount + 1 },
  );
  const newer = await em.find(
    Message,
    { roomId, seq: { $gt: seq } },
    { fields: ['id'], orderBy: { seq: 'asc' }, limit: newerCount + 1 },
  );
  const ids = [...newer.slice(0, newerCount).reverse(), ...older.slice(0, olderCount)].map((m) => m.id);
  const items = await messagesByIds(em, ids);
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
