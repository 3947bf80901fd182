import { ApiToken } from './api-token.ts';
import { Message, Room, RoomEvent, RoomMember } from './chat.ts';
import { type AuditAction, AuditEntry, Report } from './moderation.ts';
import { Block, FriendRequest, Friendship, Notification } from './people.ts';
import { Reaction } from './reactions.ts';
import { Session } from './session.ts';
import { User } from './user.ts';

export type { AuditAction };
export {
  ApiToken,
  AuditEntry,
  Block,
  FriendRequest,
  Friendship,
  Message,
  Notification,
  Reaction,
  Report,
  Room,
  RoomEvent,
  RoomMember,
  Session,
  User,
};
/** Every table the database has (tests/schema.test.ts holds the migrations to exactly these). */
export const entities = [
  User,
  Session,
  ApiToken,
  FriendRequest,
  Friendship,
  Block,
  Notification,
  Room,
  RoomMember,
  Message,
  RoomEvent,
  Reaction,
  Report,
  AuditEntry,
];
