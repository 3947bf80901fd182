import { ApiToken } from './api-token.ts';
import { Attachment } from './attachments.ts';
import { Message, Room, RoomEvent, RoomMember } from './chat.ts';
import { MessageMention } from './mentions.ts';
import { type AuditAction, AuditEntry, Report } from './moderation.ts';
import { PasswordReset, type PasswordResetEnding } from './password-reset.ts';
import { Block, FriendRequest, Friendship, Notification } from './people.ts';
import { Reaction } from './reactions.ts';
import { Session } from './session.ts';
import { User } from './user.ts';

export type { AuditAction, PasswordResetEnding };
export {
  ApiToken,
  Attachment,
  AuditEntry,
  Block,
  FriendRequest,
  Friendship,
  Message,
  MessageMention,
  Notification,
  PasswordReset,
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
  PasswordReset,
  FriendRequest,
  Friendship,
  Block,
  Notification,
  Room,
  RoomMember,
  Message,
  RoomEvent,
  Reaction,
  MessageMention,
  Attachment,
  Report,
  AuditEntry,
];
