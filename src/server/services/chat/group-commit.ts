import { ConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BatchedPer, Failed } from '../../db/batched.ts';
import type { Orm } from '../../db/orm.ts';
import { type AppendedMessage, appendMessage, appendMessages, type Send } from '../../db/statements/chat.ts';

/**
 * Group commit: plain sends to one room that arrive while that room's append is in flight go together in the next
 * statement (they would only queue for the room row's lock one by one). A lone send runs at once, as one statement.
 */
export type RoomAppends = BatchedPer<number, Send, AppendedMessage | null>;

export function createRoomAppends(orm: Orm): RoomAppends {
  // One entity manager for every batch: the statement is raw, loads no entities and runs in no transaction.
  const em = orm.em.fork();
  return new BatchedPer((roomId, sends) => appendTogether(em, roomId, sends), {
    concurrency: 1,
    maxBatch: 100,
  });
}

/**
 * One statement for the sends; if one of them breaks a constraint (a clientId used before: a retry racing its
 * first copy), nothing was stored and each goes again alone, so only its own caller gets the error.
 */
async function appendTogether(
  em: EntityManager,
  roomId: number,
  sends: Send[],
): Promise<(AppendedMessage | null | Failed)[]> {
  try {
    return await appendMessages(em, roomId, sends);
  } catch (error) {
    if (sends.length === 1 || !(error instanceof ConstraintViolationException)) throw error;
    const answers: (AppendedMessage | null | Failed)[] = [];
    // One after another, in the order they came: positions stay in arrival order.
    for (const send of sends) answers.push(await appendMessage(em, send).catch((e) => new Failed(e)));
    return answers;
  }
}

/**
 * The plain append of a send: on its own it goes with the room's other sends (group commit); inside a transaction
 * (a message with mentions stores them in the same one) it runs there.
 */
export function appendGrouped(appends: RoomAppends) {
  return (em: EntityManager, send: Send): Promise<AppendedMessage | null> =>
    em.isInTransaction() ? appendMessage(em, send) : appends.call(send.roomId, send);
}
