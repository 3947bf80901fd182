/** The sidebar's "@" count, kept by what a tab hears: new messages, its own reads and other tabs' reads. */
import { describe, expect, test } from 'vitest';
import { applyRoomChange } from '../src/client/lib/chat/room-list.ts';
import type { Message, PublicUser, Room } from '../src/client/lib/chat/types.ts';

const me: PublicUser = { id: 1, username: 'grace', displayName: 'Grace', avatarUrl: null };
const ada: PublicUser = { id: 2, username: 'ada', displayName: 'Ada', avatarUrl: null };

const room: Room = {
  id: 9,
  kind: 'public',
  name: 'Public room',
  lastMessage: null,
  unread: 0,
  mentions: 0,
  readSeq: 0,
  muted: false,
};

function sent(seq: number, from: PublicUser, mentions: PublicUser[] = []): Message {
  return {
    id: String(seq),
    roomId: room.id,
    seq,
    clientId: `c${seq}`,
    sender: from,
    body: mentions.map((person) => `@${person.username}`).join(' ') || 'hello',
    createdAt: '2026-12-04T10:00:00.000Z',
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
    replyTo: null,
    reactions: [],
    mentions,
    attachments: [],
  };
}

const hear = (rooms: Room[], message: Message) =>
  applyRoomChange(rooms, { kind: 'event', type: 'message.created', message }, me.id).rooms;

describe("the room list's mention count", () => {
  test('counts a new message that names me once, however often it is heard; never my own', () => {
    let rooms = hear([room], sent(1, ada, [me]));
    rooms = hear(rooms, sent(1, ada, [me]));
    rooms = hear(rooms, sent(2, ada));
    expect(rooms[0]).toMatchObject({ unread: 2, mentions: 1 });
    rooms = hear(rooms, sent(3, me, [me]));
    expect(rooms[0]).toMatchObject({ unread: 0, mentions: 0 });
  });

  test("takes another tab's read: its count when given, none left once everything is read", () => {
    const rooms = hear(hear([room], sent(1, ada, [me])), sent(2, ada, [me]));
    const partly = applyRoomChange(
      rooms,
      { kind: 'read', roomId: room.id, unread: 1, readSeq: 1, mentions: 1 },
      me.id,
    );
    expect(partly.rooms[0]).toMatchObject({ unread: 1, mentions: 1 });
    const all = applyRoomChange(
      partly.rooms,
      { kind: 'read', roomId: room.id, unread: 0, readSeq: 2 },
      me.id,
    );
    expect(all.rooms[0]).toMatchObject({ unread: 0, mentions: 0 });
  });
});
