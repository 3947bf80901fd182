import { ConstraintViolationException, DeadlockException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BatchedAcrossKeys, Failed } from '../../db/batched.ts';
import type { Orm } from '../../db/orm.ts';
import { type AppendedMessage, appendMessage, appendMessages, type Send } from '../../db/statements/chat.ts';

/**
 * Group commit across rooms: plain sends that arrive while an append is in flight go together in the next
 * statement, one transaction and one commit (each commit's WAL flush and each statement's plan cost more than the
 * statement's rows), so many rooms with one sender each share commits as one busy room's senders do. A room is in
 * one batch at a time, so its positions follow its sends' order. A lone send runs at the end of its turn, as one
 * statement. One batch at a time (docs/performance.md, entry 37): with up to four, two instances' sends went one or
 * two per statement and PostgreSQL spent a third more per message; a batch stuck for 50 ms lets others past it.
 * Two under a flood (16 sends waiting: entry 71): sends across 100 rooms then went ~20 % faster, PostgreSQL
 * spending ~10 % more per message on the smaller batches, and no quieter load reaches it.
 */
export type RoomAppends = BatchedAcrossKeys<number, Send, AppendedMessage | null>;

export function createRoomAppends(orm: Orm): RoomAppends {
  // One entity manager for every batch: the statement is raw, loads no entities and runs in no transaction.
  const em = orm.em.fork();
  return new BatchedAcrossKeys((sends) => appendTogether(em, sends), {
    concurrency: 4,
    maxBatch: 200,
    alongsideAfterMs: 50,
    alongsideWhenWaiting: 16,
  });
}

/**
 * One statement for the sends; if one of them breaks a constraint (a clientId used before: a retry racing its
 * first copy), nothing was stored and each goes again alone, so only its own caller gets the error. The same when
 * PostgreSQL broke a deadlock by aborting this batch: two batches in flight hold different rooms, but a sender
 * reusing one clientId in two rooms at once can make them wait on each other's new rows.
 */
async function appendTogether(
  em: EntityManager,
  sends: Send[],
): Promise<(AppendedMessage | null | Failed)[]> {
  try {
    return await appendMessages(em, sends);
  } catch (error) {
    const redoAlone = error instanceof ConstraintViolationException || error instanceof DeadlockException;
    if (sends.length === 1 || !redoAlone) throw error;
    const answers: (AppendedMessage | null | Failed)[] = [];
    // One after another, in the order they came: each room's positions stay in arrival order.
    for (const send of sends) answers.push(await appendMessage(em, send).catch((e) => new Failed(e)));
    return answers;
  }
}

/**
 * The plain append of a send: on its own it goes with other sends (group commit); inside a transaction (a message
 * with mentions stores them in the same one) it runs there.
 */
export function appendGrouped(appends: RoomAppends) {
  return (em: EntityManager, send: Send): Promise<AppendedMessage | null> =>
    em.isInTransaction() ? appendMessage(em, send) : appends.call(send.roomId, send);
}
