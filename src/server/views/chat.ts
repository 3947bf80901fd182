import type { RoomEventType } from '../../shared/chat.ts';
import { type AttachmentView, imageUrl } from '../../shared/images.ts';
import type { ReactionSummary } from '../../shared/reactions.ts';
import { excerptLength, excerptOf } from '../../shared/replies.ts';
import type { Message, Room, RoomMember } from '../db/entities/index.ts';
import type { StoredAttachment } from '../db/statements/images.ts';
import { type PublicUser, publicUserOf } from './people.ts';
import { isoOrNull } from './time.ts';

/** One mapping from the chat tables' rows to the API's `Message` and `Room` shapes: every chat query uses it. */

/** What showing a person needs of their user row. */
export type ShownUser = Parameters<typeof publicUserOf>[0];

/** The message a reply answers: what its quote shows (`body` may be cut to `quotedBodyLength`). */
export type QuotedMessage = Pick<Message, 'id' | 'seq' | 'body' | 'deletedAt'> & { sender: ShownUser };

/** How much of an original's body a query needs to make the quote's excerpt (room for Markdown's marks). */
export const quotedBodyLength = 4 * excerptLength;

/** A stored message with the columns the API shows, its sender loaded, and the message it replies to. */
export type MessageWithSender = Pick<
  Message,
  'id' | 'roomId' | 'seq' | 'clientId' | 'body' | 'createdAt' | 'editedAt' | 'deletedAt' | 'deletedBy'
> & {
  sender: ShownUser;
  quoted: QuotedMessage | null;
  reactions: ReactionSummary[];
  mentions: ShownUser[];
  attachments: StoredAttachment[];
};

/** A reply's quote of its original: the excerpt is empty once the original is deleted. */
export interface ReplyToView {
  id: string;
  seq: number;
  sender: PublicUser;
  excerpt: string;
  deleted: boolean;
}

export interface MessageView {
  id: string;
  roomId: number;
  seq: number;
  clientId: string;
  sender: PublicUser;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  /** Who deleted it: its sender, or a moderator (the client then says "removed by a moderator"). */
  deletedBy: 'sender' | 'moderator' | null;
  /** The message this one replies to, or null. */
  replyTo: ReplyToView | null;
  /** Per emoji, first reacted first: the count and the first reactors' ids (the same for every reader). */
  reactions: ReactionSummary[];
  /**
   * The people its `@username`s name (by id, lowest first), as they are now: a client shows each one's current
   * display name where their `@username` stands, and marks a message that mentions its reader.
   */
  mentions: PublicUser[];
  /** Its images, in order: each with a thumbnail and a full view, sized. */
  attachments: AttachmentView[];
}

/** A durable room event: what `chat.onRoomEvent` yields, tracked by its position. */
export interface RoomEventView {
  position: number;
  type: RoomEventType;
  message: MessageView;
}

export function messageViewOf(message: MessageWithSender): MessageView {
  const deletedAt = isoOrNull(message.deletedAt);
  return {
    id: message.id,
    roomId: message.roomId,
    seq: message.seq,
    clientId: message.clientId,
    sender: publicUserOf(message.sender),
    // A deleted message keeps its place in the log; its words are gone.
    body: deletedAt === null ? message.body : '',
    createdAt: message.createdAt.toISOString(),
    editedAt: isoOrNull(message.editedAt),
    deletedAt,
    deletedBy: message.deletedBy ?? null,
    replyTo: message.quoted && replyToViewOf(message.quoted),
    // Reactions go with the words.
    reactions: deletedAt === null ? message.reactions : [],
    mentions: deletedAt === null ? message.mentions.map(publicUserOf) : [],
    // So do its images (which are no longer served either).
    attachments: deletedAt === null ? message.attachments.map(attachmentViewOf) : [],
  };
}

export function attachmentViewOf(stored: StoredAttachment): AttachmentView {
  return {
    ...stored,
    url: imageUrl(stored.id, 'full'),
    thumbUrl: imageUrl(stored.id, 'thumb'),
  };
}

function replyToViewOf(quoted: QuotedMessage): ReplyToView {
  const deleted = Boolean(quoted.deletedAt);
  return {
    id: quoted.id,
    seq: quoted.seq,
    sender: publicUserOf(quoted.sender),
    excerpt: deleted ? '' : excerptOf(quoted.body),
    deleted,
  };
}

export interface RoomView {
  id: number;
  kind: 'public' | 'private';
  name: string;
  other?: PublicUser;
  lastMessage: MessageView | null;
  unread: number;
  /** How many of the unread messages mention the reader: the sidebar's "@" badge. */
  mentions: number;
  /** The reader's position: messages with a greater seq are new to them. */
  readSeq: number;
  /** A private room whose two members are no longer friends: readable, closed to new messages. */
  formerFriend?: true;
}

/** A room as one reader sees it: their place in it, the other member of a private room, its newest message. */
export interface RoomSeenBy {
  room: Pick<Room, 'id' | 'kind' | 'name' | 'position'>;
  /** Null until the reader is a member: they would join at the room's end. */
  readSeq: RoomMember['readSeq'] | null;
  other: ShownUser | null;
  /** Whether the two members of a private room are friends now. */
  friends: boolean;
  last: MessageWithSender | null;
  unread: number;
  mentions: number;
}

export function roomViewOf({ room, readSeq, other, friends, last, unread, mentions }: RoomSeenBy): RoomView {
  return {
    id: room.id,
    kind: room.kind,
    name: other ? other.displayName : room.name,
    ...(other ? { other: publicUserOf(other) } : {}),
    lastMessage: last ? messageViewOf(last) : null,
    unread,
    mentions,
    readSeq: readSeq ?? room.position,
    ...(room.kind === 'private' && !friends ? { formerFriend: true as const } : {}),
  };
}
