import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { Message, Reaction, User } from '../../db/entities/index.ts';
import type { Deps } from '../../deps.ts';
import { type PublicUser, publicUserOf } from '../../views/people.ts';
import { limit } from '../auth.ts';
import type { Actor } from '../users.ts';
import { findMessage, type MessageView } from './messages.ts';
import { appendEvent } from './post.ts';
import { authorizeRead, authorizeWrite, type Writer } from './rooms.ts';

/** Thrown inside the event's transaction when nothing changed: it rolls back, so no position is taken. */
class Unchanged extends Error {}

interface ReactionChange {
  messageId: string;
  emoji: string;
  on: boolean;
}

/**
 * Adds or takes back the caller's reaction. Reacting is writing: muted or banned people, and a former friend in
 * a private room, cannot. Idempotent: adding what is there or removing what is not changes nothing, publishes
 * nothing, and answers the message as it is. A change is a `message.edited` event (its body and `editedAt` stay).
 */
export async function react(
  deps: Deps,
  em: EntityManager,
  me: Actor & Writer,
  change: ReactionChange,
): Promise<MessageView> {
  await limit(deps, `react:${me.id}`, deps.config.limits.reactionsPerMinute, 60_000);
  const room = await authorizeWrite(em, await roomOfLiveMessage(em, change.messageId), me);
  const maxEmoji = deps.config.limits.reactionEmojiPerMessage;
  try {
    const event = await appendEvent(deps, em, room, 'message.edited', change.messageId, async (tx) => {
      const changed = change.on
        ? await addReaction(tx, me.id, change, maxEmoji)
        : await tx.nativeDelete(Reaction, {
            messageId: change.messageId,
            userId: me.id,
            emoji: change.emoji,
          });
      if (changed === 0) throw new Unchanged();
    });
    return event.message;
  } catch (error) {
    if (!(error instanceof Unchanged)) throw error;
    return (await findMessage(em.fork(), { id: change.messageId })) ?? missing();
  }
}

const missing = (): never => {
  throw new TRPCError({ code: 'NOT_FOUND', message: 'That message does not exist.' });
};

async function roomOfLiveMessage(em: EntityManager, messageId: string): Promise<number> {
  const message = await em.findOne(Message, messageId, { fields: ['roomId', 'deletedAt'] });
  if (!message) return missing();
  if (message.deletedAt) throw new TRPCError({ code: 'NOT_FOUND', message: 'That message was deleted.' });
  return message.roomId;
}

/**
 * Runs under the room's lock (see `appendEvent`), so two people cannot both add the emoji past the limit; the
 * unique key makes a second add of the same reaction insert nothing. Answers how many rows it inserted.
 */
async function addReaction(
  tx: EntityManager,
  userId: number,
  { messageId, emoji }: ReactionChange,
  maxEmoji: number,
): Promise<number> {
  const present = await tx
    .createQueryBuilder(Reaction)
    .select('emoji', true)
    .where({ messageId })
    .execute<Pick<Reaction, 'emoji'>[]>('all', false);
  if (present.length >= maxEmoji && !present.some((row) => row.emoji === emoji)) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `A message can carry at most ${maxEmoji} different emoji: add to one that is there.`,
    });
  }
  const inserted = await tx
    .createQueryBuilder(Reaction)
    .insert({ messageId, userId, emoji })
    .onConflict(['messageId', 'userId', 'emoji'])
    .ignore()
    .execute('run');
  return inserted.affectedRows;
}

/** Everyone who reacted with `emoji` to a message the caller can read, first reacted first, a page at a time. */
export async function reactors(
  em: EntityManager,
  viewerId: number | null,
  input: { messageId: string; emoji: string; cursor?: string | null; limit: number },
): Promise<{ items: PublicUser[]; nextCursor: string | null }> {
  await authorizeRead(em, await roomOfLiveMessage(em, input.messageId), viewerId);
  const page = await em.find(
    Reaction,
    {
      messageId: input.messageId,
      emoji: input.emoji,
      ...(input.cursor ? { id: { $gt: input.cursor } } : {}),
    },
    { fields: ['id', 'userId'], orderBy: { id: 'asc' }, limit: input.limit + 1 },
  );
  const shown = page.slice(0, input.limit);
  const users = await em.find(
    User,
    { id: { $in: shown.map((reaction) => reaction.userId) } },
    { fields: ['id', 'username', 'displayName', 'avatarVersion'] },
  );
  const byId = new Map(users.map((user) => [user.id, publicUserOf(user)]));
  return {
    items: shown.flatMap((reaction) => byId.get(reaction.userId) ?? []),
    nextCursor: page.length > input.limit ? (shown.at(-1)?.id ?? null) : null,
  };
}
