import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { Message } from '../../db/entities/index.ts';
import { type MessageWithSender, type QuotedMessage, quotedBodyLength } from '../../views/chat.ts';
import { isMember, loadRoom } from './rooms.ts';

/**
 * Replies: the quote a reply carries, for messages loaded as entities (history and catch-up select it in their
 * statement), and why a send that replies was refused.
 */

type Quoting = Omit<MessageWithSender, 'quoted' | 'reactions' | 'mentions' | 'attachments'> &
  Pick<Message, 'replyTo'>;

/** The originals these replies quote, by id: one query for all of them, none when nothing replies. */
async function quotesOf(em: EntityManager, ids: readonly string[]): Promise<Map<string, QuotedMessage>> {
  if (ids.length === 0) return new Map();
  const originals = await em.find(
    Message,
    { id: { $in: [...new Set(ids)] } },
    {
      populate: ['sender'],
      fields: [
        'id',
        'seq',
        'body',
        'deletedAt',
        'sender.id',
        'sender.username',
        'sender.displayName',
        'sender.avatarVersion',
      ],
    },
  );
  return new Map(
    originals.map((original) => [
      original.id,
      { ...pickQuoted(original), body: original.body.slice(0, quotedBodyLength) },
    ]),
  );
}

const pickQuoted = ({ id, seq, body, deletedAt, sender }: QuotedMessage): QuotedMessage => ({
  id,
  seq,
  body,
  deletedAt,
  sender,
});

/** These messages with the message each replies to, in the same order. */
export async function withQuotes<M extends Quoting>(
  em: EntityManager,
  messages: readonly M[],
): Promise<(M & { quoted: QuotedMessage | null })[]> {
  const ids = messages.flatMap((message) => (message.replyTo ? [message.replyTo] : []));
  const quotes = await quotesOf(em, ids);
  return messages.map((message) =>
    Object.assign(message, { quoted: (message.replyTo && quotes.get(message.replyTo)) || null }),
  );
}

/**
 * Why a reply was refused, once the room itself allowed the send: the original is gone, deleted, or in another
 * room. A room the sender cannot read answers as if the message did not exist, so ids tell nothing of it.
 */
export async function refuseReply(em: EntityManager, roomId: number, replyToId: string, userId: number) {
  const original = await em.findOne(Message, { id: replyToId }, { fields: ['id', 'roomId', 'deletedAt'] });
  const readable =
    original && (original.roomId === roomId || isMember(await loadRoom(em, original.roomId), userId));
  if (!original || !readable) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'The message you are replying to does not exist.' });
  }
  if (original.roomId !== roomId) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'You can only reply to a message in the same conversation.',
    });
  }
  if (original.deletedAt) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'The message you are replying to was deleted.' });
  }
}
