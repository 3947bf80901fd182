import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Message, Room } from './chat.ts';
import { createdAt, reference } from './columns.ts';
import { User } from './user.ts';

/**
 * An image uploaded to a room. It waits unsent (`messageId` null) until its uploader sends a message with it in
 * that room; unsent ones are swept after a while. The files are in the image store under the id, which is random:
 * nobody can guess another upload's id and try to send it.
 */
export const Attachment = defineEntity({
  name: 'Attachment',
  tableName: 'attachments',
  properties: {
    id: p.string().length(24).primary(),
    roomId: reference(Room, 'attachments', 'room_id', 'cascade'),
    uploaderId: reference(User, 'attachments', 'uploader_id', 'cascade').index('attachments_uploader'),
    messageId: reference(Message, 'attachments', 'message_id', 'cascade')
      .nullable()
      .index('attachments_message'),
    /** Its place among the message's images. */
    position: p.smallint().default(0),
    width: p.integer(),
    height: p.integer(),
    thumbWidth: p.integer(),
    thumbHeight: p.integer(),
    /** Bytes of both stored files. */
    bytes: p.integer(),
    alt: p.string().length(200).default(''),
    createdAt: createdAt(),
  },
  indexes: [
    {
      name: 'attachments_unsent',
      expression: 'create index attachments_unsent on attachments (created_at) where message_id is null',
    },
  ],
});
export type Attachment = InferEntity<typeof Attachment>;
