import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const Room = defineEntity({
  name: 'Room',
  tableName: 'rooms',
  properties: {
    id: p.integer().primary().autoincrement(),
    kind: p.enum(['public', 'private']),
    name: p.string().length(80),
    userLow: p.integer().nullable(),
    userHigh: p.integer().nullable(),
    /** The room's event counter: the position of its latest durable event. */
    position: p.bigint('number').default(0),
    lastActivityAt: p.datetime(),
    createdAt: p.datetime(),
  },
});
export type Room = InferEntity<typeof Room>;

export const RoomMember = defineEntity({
  name: 'RoomMember',
  tableName: 'room_members',
  properties: {
    roomId: p.integer().primary(),
    userId: p.integer().primary(),
    readSeq: p.bigint('number').default(0),
    joinedAt: p.datetime(),
  },
});
export type RoomMember = InferEntity<typeof RoomMember>;

export const Message = defineEntity({
  name: 'Message',
  tableName: 'messages',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    roomId: p.integer(),
    seq: p.bigint('number'),
    senderId: p.integer(),
    clientId: p.string().length(64),
    body: p.text(),
    createdAt: p.datetime(),
    editedAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    deletedBy: p.enum(['sender', 'moderator']).nullable(),
  },
});
export type Message = InferEntity<typeof Message>;

export const RoomEvent = defineEntity({
  name: 'RoomEvent',
  tableName: 'room_events',
  properties: {
    roomId: p.integer().primary(),
    position: p.bigint('number').primary(),
    type: p.enum(['message.created', 'message.edited', 'message.deleted']),
    messageId: p.bigint('string'),
    createdAt: p.datetime(),
  },
});
export type RoomEvent = InferEntity<typeof RoomEvent>;
