import { defineEntity, type EntitySchema, type InferEntity, type Opt, p } from '@mikro-orm/core';
import { createdAt, reference, related } from './columns.ts';
import { User } from './user.ts';

export const Room = defineEntity({
  name: 'Room',
  tableName: 'rooms',
  properties: {
    id: p.integer().primary().autoincrement(),
    kind: p.enum(['public', 'private']),
    name: p.string().length(80),
    userLow: reference(User, 'rooms', 'user_low', 'cascade').nullable(),
    userHigh: reference(User, 'rooms', 'user_high', 'cascade').nullable(),
    /** The room's event counter: the position of its latest durable event. */
    position: p.bigint('number').default(0),
    lastActivityAt: createdAt(),
    createdAt: createdAt(),
  },
  uniques: [
    {
      name: 'rooms_private_pair',
      expression:
        "create unique index rooms_private_pair on rooms (user_low, user_high) where kind = 'private'",
    },
    {
      name: 'rooms_one_public',
      expression: "create unique index rooms_one_public on rooms (kind) where kind = 'public'",
    },
  ],
  indexes: [
    {
      name: 'rooms_user_high',
      expression: "create index rooms_user_high on rooms (user_high) where kind = 'private'",
    },
  ],
  checks: [
    {
      name: 'rooms_private_has_pair',
      expression: "(kind = 'private') = (user_low is not null and user_high is not null)",
    },
    { name: 'rooms_ordered_pair', expression: 'user_low < user_high' },
  ],
});
export type Room = InferEntity<typeof Room>;

export const RoomMember = defineEntity({
  name: 'RoomMember',
  tableName: 'room_members',
  properties: {
    roomId: reference(Room, 'room_members', 'room_id', 'cascade').primary(),
    userId: reference(User, 'room_members', 'user_id', 'cascade').primary().index('room_members_user'),
    readSeq: p.bigint('number').default(0),
    /**
     * In a private room, how many messages of the other member after `readSeq` are not deleted: the unread count,
     * kept by every statement that changes it (a send, a deletion, a read move; a member joins at the room's end
     * with 0), each holding the room row's lock, so a new message costs an increment instead of a recount of
     * everything unread (docs/performance.md, entry 23). In the public room it stays 0 and is counted when asked:
     * a message there would otherwise update every member's row.
     */
    unread: p.integer().default(0),
    /** The member silenced this room: it still counts unread, but never notifies or sounds, on any device. */
    muted: p.boolean().default(false),
    joinedAt: createdAt(),
  },
});
export type RoomMember = InferEntity<typeof RoomMember>;

/**
 * Message search indexes a body with each ASCII character that is neither a letter, a digit nor a space read as a
 * space, so that its words are the runs of letters and digits a search is split into (`searchWords`). Read as it is,
 * PostgreSQL's text-search parser drops `<…>` as an HTML tag (`x<y and width>height`) and keeps `example.com`,
 * `ann@example.com` or `/a/path` as one word, which no search for their parts could find. The class names those
 * characters by their codes (`!`–`/`, `:`–`@`, `[`–`` ` ``, `{`–`~`), which mean the same in every database locale;
 * `[[:punct:]]` would follow glibc's, which counts marks some scripts' words are made of. Letters beyond ASCII stay
 * for the parser, as before. A plain `translate` of the 32 characters cost 8 µs a message, this 1 µs. Written as
 * PostgreSQL reads the expression back, which tests/schema.test.ts compares.
 */
const searchableBody = "regexp_replace(body, '[!-/:-@[-`{-~]'::text, ' '::text, 'g'::text)";

/** What the reply relation needs to know of its target: its primary key (a bigint as a string). */
type QuotedTarget = EntitySchema<{ id: string }, never>;

export const Message = defineEntity({
  name: 'Message',
  tableName: 'messages',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    roomId: reference(Room, 'messages', 'room_id', 'cascade'),
    seq: p.bigint('number'),
    // No index of its own: the unique (sender_id, client_id) below leads with it, for the sender's messages and for
    // the cascade when an account goes; a second index would only cost every append another insert.
    sender: related(User, 'messages', 'sender_id', 'cascade'),
    clientId: p.string().length(64),
    body: p.text(),
    createdAt: createdAt().index('messages_created_at'),
    editedAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    deletedBy: p.enum(['sender', 'moderator']).nullable(),
    // The body's words as message search reads them (ASCII punctuation read as spaces: `searchableBody`),
    // parsed once when the body is written: the search's index, its re-check while walking back from the newest
    // message and its ranking all read this instead of parsing each body again. Lazy: no other query loads it.
    // Optional: PostgreSQL writes it, never the app.
    searchVector: p
      .string()
      .$type<Opt<string>>()
      .columnType('tsvector')
      .generated(`(to_tsvector('simple'::regconfig, ${searchableBody})) stored`)
      .lazy(true, false)
      .hidden(),
    // The message this one replies to (same room). Declared lazily: the entity refers to itself. A deleted
    // original keeps its row (soft delete), so the reply shows it as deleted; only an account's removal drops it.
    replyTo: () =>
      reference(Message as unknown as QuotedTarget, 'messages', 'reply_to_id', 'set null').nullable(),
  },
  uniques: [
    { name: 'messages_room_id_seq_key', properties: ['roomId', 'seq'] },
    // A retried send (same sender, same clientId) finds the message it stored the first time.
    { name: 'messages_sender_id_client_id_key', properties: ['sender', 'clientId'] },
  ],
  indexes: [
    {
      // Message search (services/chat/search.ts), on `searchVector`. 'simple' lowercases and keeps every word: chat
      // mixes languages, names and jargon, which a language's stemmer and stop words would mangle or drop. The
      // planner's word statistics (how common a word is, which decides how a search runs) come from the column.
      // New rows wait in a pending list of at most 64 kB (PostgreSQL's 4 MB by default): the insert that finds it
      // full merges it into the index in its own statement, and a 4 MB merge held a batch of sends ~0.5 s; 64 kB
      // costs no more CPU per insert and a few ms per merge (docs/performance.md, entry 83).
      name: 'messages_body_search',
      expression:
        'create index messages_body_search on messages using gin (search_vector) with (gin_pending_list_limit = 64)',
    },
    {
      // The replies to a message (the foreign key's `set null`): only replies are in it, so the append of a message
      // that replies to nothing, most of them, inserts into it nothing.
      name: 'messages_reply_to',
      expression: 'create index messages_reply_to on messages (reply_to_id) where reply_to_id is not null',
    },
  ],
});
export type Message = InferEntity<typeof Message>;

export const RoomEvent = defineEntity({
  name: 'RoomEvent',
  tableName: 'room_events',
  properties: {
    roomId: reference(Room, 'room_events', 'room_id', 'cascade').primary(),
    position: p.bigint('number').primary(),
    type: p.enum(['message.created', 'message.edited', 'message.deleted']),
    message: related(Message, 'room_events', 'message_id', 'cascade'),
    createdAt: createdAt(),
  },
});
export type RoomEvent = InferEntity<typeof RoomEvent>;
