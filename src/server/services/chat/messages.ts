import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Message } from '../../db/entities/index.ts';
import { eventsAfter, extrasOf, messagesBefore, type StoredEvent } from '../../db/statements/chat.ts';
import { type MessageView, messageViewOf, type RoomEventView } from '../../views/chat.ts';
import { withQuotes } from './replies.ts';

export type { MessageView, RoomEventView };

/** A message's columns and its sender's public ones: what `messageViewOf` shows, and no more. */
const withSender = {
  populate: ['sender'],
  fields: [
    'id',
    'roomId',
    'seq',
    'clientId',
    'body',
    'createdAt',
    'editedAt',
    'deletedAt',
    'deletedBy',
    'replyTo',
    'sender.id',
    'sender.username',
    'sender.displayName',
    'sender.avatarVersion',
  ],
} as const;

/** The one message `where` names (its id, or its sender and clientId), with its sender. */
export function loadMessage(em: EntityManager, where: FilterQuery<Message>) {
  return em.findOne(Message, where, withSender);
}

export type LoadedMessage = NonNullable<Awaited<ReturnType<typeof loadMessage>>>;

/**
 * Messages loaded as entities, as the API shows them: their quotes come in one query, their reactions, images
 * and mentions in another.
 */
export async function viewsOf(em: EntityManager, messages: readonly LoadedMessage[]): Promise<MessageView[]> {
  const quoting = await withQuotes(em, messages);
  const extras = await extrasOf(
    em,
    messages.map((message) => message.id),
  );
  // Object.assign, not two spreads: a spread given new keys is promoted on Node 20 (procedure-call.ts), and a
  // history page makes one per message.
  return quoting.map((message) =>
    messageViewOf(
      Object.assign({}, message, extras.get(message.id) ?? { reactions: [], attachments: [], mentions: [] }),
    ),
  );
}

/** The same message as the API shows it. */
export async function findMessage(
  em: EntityManager,
  where: FilterQuery<Message>,
): Promise<MessageView | null> {
  const message = await loadMessage(em, where);
  return message && ((await viewsOf(em, [message]))[0] ?? null);
}

/** Newest first, `limit` per page; the cursor is the seq to pass as `beforeSeq` for the next older page. */
export async function history(em: EntityManager, roomId: number, beforeSeq: number | null, limit: number) {
  const messages = await messagesBefore(em, roomId, beforeSeq, limit + 1);
  const items = messages.slice(0, limit).map(messageViewOf);
  return { items, nextCursor: messages.length > limit ? (items.at(-1)?.seq ?? null) : null };
}

/** The room's events after `after` (and before `before`, if given), in order, with each message as it is now. */
export async function eventsBetween(
  em: EntityManager,
  roomId: number,
  after: number,
  before: number | null,
  limit: number,
): Promise<RoomEventView[]> {
  return (await eventsAfter(em, roomId, after, before, limit)).map(roomEventViewOf);
}

/** A stored event as streams and catch-up show it. */
export function roomEventViewOf(event: StoredEvent): RoomEventView {
  return { position: event.position, type: event.type, message: messageViewOf(event.message) };
}

/** The messages with these ids as the API shows them, in the order given (ids not found are left out). */
export async function messagesByIds(em: EntityManager, ids: readonly string[]): Promise<MessageView[]> {
  if (ids.length === 0) return [];
  const views = await viewsOf(em, await em.find(Message, { id: { $in: [...ids] } }, withSender));
  const byId = new Map(views.map((view) => [view.id, view]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
