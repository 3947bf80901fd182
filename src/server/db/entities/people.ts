import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Message } from './chat.ts';
import { createdAt, reference, related } from './columns.ts';
import { User } from './user.ts';

export const requestStatuses = ['pending', 'accepted', 'declined', 'cancelled'] as const;

export const FriendRequest = defineEntity({
  name: 'FriendRequest',
  tableName: 'friend_requests',
  properties: {
    id: p.integer().primary().autoincrement(),
    fromId: reference(User, 'friend_requests', 'from_id', 'cascade'),
    toId: reference(User, 'friend_requests', 'to_id', 'cascade'),
    status: p.enum([...requestStatuses]).default('pending'),
    createdAt: createdAt(),
    respondedAt: p.datetime().nullable(),
  },
  uniques: [
    // At most one pending request per pair, in either direction: holds under concurrent sends.
    {
      name: 'friend_requests_one_pending_per_pair',
      expression: `create unique index friend_requests_one_pending_per_pair
        on friend_requests (least(from_id, to_id), greatest(from_id, to_id)) where status = 'pending'`,
    },
  ],
  indexes: [
    {
      name: 'friend_requests_to_pending',
      expression:
        "create index friend_requests_to_pending on friend_requests (to_id) where status = 'pending'",
    },
    {
      name: 'friend_requests_from_pending',
      expression:
        "create index friend_requests_from_pending on friend_requests (from_id) where status = 'pending'",
    },
  ],
  checks: [{ name: 'friend_requests_not_self', expression: 'from_id <> to_id' }],
});
export type FriendRequest = InferEntity<typeof FriendRequest>;

/** One row per pair, the lower id first, so a pair cannot be stored twice. */
export const Friendship = defineEntity({
  name: 'Friendship',
  tableName: 'friendships',
  properties: {
    userLow: reference(User, 'friendships', 'user_low', 'cascade').primary(),
    userHigh: reference(User, 'friendships', 'user_high', 'cascade').primary().index('friendships_user_high'),
    createdAt: createdAt(),
  },
  checks: [{ name: 'friendships_ordered_pair', expression: 'user_low < user_high' }],
});
export type Friendship = InferEntity<typeof Friendship>;

export const Block = defineEntity({
  name: 'Block',
  tableName: 'blocks',
  properties: {
    blockerId: reference(User, 'blocks', 'blocker_id', 'cascade').primary(),
    blockedId: reference(User, 'blocks', 'blocked_id', 'cascade').primary().index('blocks_blocked_id'),
    createdAt: createdAt(),
  },
  checks: [{ name: 'blocks_not_self', expression: 'blocker_id <> blocked_id' }],
});
export type Block = InferEntity<typeof Block>;

export const notificationKinds = [
  'friend_request.received',
  'friend_request.accepted',
  'friend_request.declined',
  'friend_request.cancelled',
  'friend.removed',
  'message.mention',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notifications',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    userId: reference(User, 'notifications', 'user_id', 'cascade'),
    kind: p.enum([...notificationKinds]),
    // Relations, not bare ids: the bell's list loads who acted and where their request stands in one query.
    actor: related(User, 'notifications', 'actor_id', 'cascade').nullable(),
    request: related(FriendRequest, 'notifications', 'request_id', 'set null').nullable(),
    /** The message a mention notification opens, in its conversation. */
    message: related(Message, 'notifications', 'message_id', 'cascade').nullable(),
    text: p.string().length(300),
    createdAt: createdAt(),
    readAt: p.datetime().nullable(),
  },
  indexes: [
    {
      name: 'notifications_user_id',
      expression: 'create index notifications_user_id on notifications (user_id, id desc)',
    },
    {
      name: 'notifications_unread',
      expression: 'create index notifications_unread on notifications (user_id) where read_at is null',
    },
    {
      // An account's removal deletes its messages, and with them the mentions' notifications.
      name: 'notifications_message_id',
      expression:
        'create index notifications_message_id on notifications (message_id) where message_id is not null',
    },
  ],
});
export type Notification = InferEntity<typeof Notification>;
