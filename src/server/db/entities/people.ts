import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const requestStatuses = ['pending', 'accepted', 'declined', 'cancelled'] as const;

export const FriendRequest = defineEntity({
  name: 'FriendRequest',
  tableName: 'friend_requests',
  properties: {
    id: p.integer().primary().autoincrement(),
    fromId: p.integer(),
    toId: p.integer(),
    status: p.enum([...requestStatuses]).default('pending'),
    createdAt: p.datetime().onCreate(() => new Date()),
    respondedAt: p.datetime().nullable(),
  },
});
export type FriendRequest = InferEntity<typeof FriendRequest>;

/** One row per pair, the lower id first, so a pair cannot be stored twice. */
export const Friendship = defineEntity({
  name: 'Friendship',
  tableName: 'friendships',
  properties: {
    userLow: p.integer().primary(),
    userHigh: p.integer().primary(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Friendship = InferEntity<typeof Friendship>;

export const Block = defineEntity({
  name: 'Block',
  tableName: 'blocks',
  properties: {
    blockerId: p.integer().primary(),
    blockedId: p.integer().primary(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Block = InferEntity<typeof Block>;

export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notifications',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    userId: p.integer(),
    kind: p.string(),
    actorId: p.integer().nullable(),
    requestId: p.integer().nullable(),
    text: p.string().length(300),
    createdAt: p.datetime().onCreate(() => new Date()),
    readAt: p.datetime().nullable(),
  },
});
export type Notification = InferEntity<typeof Notification>;
