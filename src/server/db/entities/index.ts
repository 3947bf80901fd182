import { ApiToken } from './api-token.ts';
import { Message, Room, RoomEvent, RoomMember } from './chat.ts';
import { Block, FriendRequest, Friendship, Notification } from './people.ts';
import { Session } from './session.ts';
import { User } from './user.ts';

export {
  ApiToken,
  Block,
  FriendRequest,
  Friendship,
  Message,
  Notification,
  Room,
  RoomEvent,
  RoomMember,
  Session,
  User,
};
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
];
