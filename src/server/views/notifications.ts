import type { Message } from '../db/entities/chat.ts';
import type { FriendRequest, Notification, NotificationKind } from '../db/entities/people.ts';
import { type PublicUser, publicUserOf } from './people.ts';
import { isoOrNull } from './time.ts';

/** One mapping from the notifications table (with its actor and request) to the bell's shape. */

type RequestStatus = FriendRequest['status'];

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  text: string;
  actor: PublicUser | null;
  requestId: number | null;
  /** True while the request it is about can still be accepted or declined. */
  requestPending: boolean;
  /** Where the request it is about stands now (null when it is about none): shown as its outcome. */
  requestStatus: RequestStatus | null;
  /** The message a mention is about, to open in its conversation; null for the other kinds. */
  message: { id: string; roomId: number; seq: number } | null;
  createdAt: string;
  readAt: string | null;
}

/** The columns a notification shows: its own, its actor's public ones, and its request's id and status. */
export const shownNotificationFields = [
  'id',
  'kind',
  'text',
  'createdAt',
  'readAt',
  'actor.id',
  'actor.username',
  'actor.displayName',
  'actor.avatarVersion',
  'request.id',
  'request.status',
  'message.id',
  'message.roomId',
  'message.seq',
] as const;

export type ShownNotification = Pick<Notification, 'id' | 'kind' | 'text' | 'createdAt' | 'readAt'> & {
  actor?: Parameters<typeof publicUserOf>[0] | null;
  request?: Pick<FriendRequest, 'id' | 'status'> | null;
  message?: Pick<Message, 'id' | 'roomId' | 'seq'> | null;
};

export function notificationViewOf(notification: ShownNotification): NotificationView {
  const status = notification.request?.status ?? null;
  return {
    id: notification.id,
    kind: notification.kind,
    text: notification.text,
    actor: notification.actor ? publicUserOf(notification.actor) : null,
    requestId: notification.request?.id ?? null,
    requestPending: status === 'pending',
    requestStatus: status,
    message: notification.message
      ? { id: notification.message.id, roomId: notification.message.roomId, seq: notification.message.seq }
      : null,
    createdAt: notification.createdAt.toISOString(),
    readAt: isoOrNull(notification.readAt),
  };
}
