import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Message } from './chat.ts';
import { reference } from './columns.ts';
import { User } from './user.ts';

/**
 * A person a message mentions, by id: a rename of their display name changes how the mention reads, never whom
 * it names. Written when the message is sent or edited, for people who can read its room.
 */
export const MessageMention = defineEntity({
  name: 'MessageMention',
  tableName: 'message_mentions',
  properties: {
    messageId: reference(Message, 'message_mentions', 'message_id', 'cascade').primary(),
    // Counting a person's unread mentions starts from them.
    userId: reference(User, 'message_mentions', 'user_id', 'cascade')
      .primary()
      .index('message_mentions_user'),
  },
});
export type MessageMention = InferEntity<typeof MessageMention>;
