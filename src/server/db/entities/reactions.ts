import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Message } from './chat.ts';
import { createdAt, reference } from './columns.ts';
import { User } from './user.ts';

/**
 * One person's emoji on one message. The unique key makes adding twice a no-op even when two tabs race; the id
 * orders a message's emoji by who reacted first.
 */
export const Reaction = defineEntity({
  name: 'Reaction',
  tableName: 'reactions',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    messageId: reference(Message, 'reactions', 'message_id', 'cascade'),
    userId: reference(User, 'reactions', 'user_id', 'cascade').index('reactions_user'),
    emoji: p.string().length(32),
    createdAt: createdAt(),
  },
  uniques: [{ name: 'reactions_message_id_user_id_emoji_key', properties: ['messageId', 'userId', 'emoji'] }],
});
export type Reaction = InferEntity<typeof Reaction>;
