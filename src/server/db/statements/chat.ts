import type { EntityManager } from '@mikro-orm/postgresql';
import { type ReactionSummary, reactorIdsShown } from '../../../shared/reactions.ts';
import {
  type MessageWithSender,
  type QuotedMessage,
  quotedBodyLength,
  type RoomSeenBy,
} from '../../views/chat.ts';
import type { Room, RoomEvent, RoomMember } from '../entities/index.ts';
import { attachmentsColumn, type StoredAttachment } from './images.ts';
import { type MentionRow, mentionsColumn, shownUserOfMention, unreadMentionsCount } from './mentions.ts';
import { dateOrNull, list, query, queryOne, queryPrepared, sql, wantedIds } from './sql.ts';

/**
 * The chat statements the query builder cannot say: the room-position lock and append, the send's guarded insert
 * and its `ON CONFLICT` idempotency, the read position that only moves forward, and the room list's correlated
 * preview and recount. Each maps its raw row (snake_case, bigints and times as PostgreSQL sends them) to entity
 * types here, once.
 */

/**
 * A message's reactions as one JSON array (`m` is messages): per emoji its count and first reactors, the emoji
 * reacted with first coming first. A correlated subquery, so history and catch-up stay one statement; null when
 * there are none.
 */
const reactionsColumn = sql`(select json_agg(json_build_object('emoji', g.emoji, 'count', g.count,
    'userIds', g.user_ids) order by g.first_id)
  from (select r.emoji, count(*) as count, min(r.id) as first_id,
      (array_agg(r.user_id order by r.id))[1:${reactorIdsShown}] as user_ids
    from reactions r where r.message_id = m.id group by r.emoji) g) as reactions`;

/**
 * A message and its sender, as statements select them (`m` is messages, `u` its sender), with the message it
 * replies to, if any, as one JSON column: a correlated lookup by primary key, so still one statement per page.
 * Only the start of the original's words travels; the quote shows no more. The people it mentions come the same
 * way (a lookup by the mentions' primary key: nothing for a message that mentions nobody).
 */
const senderAndQuotedColumns = sql`u.id, u.username, u.display_name, u.avatar_version,
  (select json_build_object('id', q.id::text, 'seq', q.seq, 'body', left(q.body, ${quotedBodyLength}),
      'deletedAt', q.deleted_at, 'senderId', qu.id, 'username', qu.username, 'displayName', qu.display_name,
      'avatarVersion', qu.avatar_version)
    from messages q join users qu on qu.id = q.sender_id where q.id = m.reply_to_id) as reply_to`;

export const messageWithSenderColumns = sql`m.id as message_id, m.room_id, m.seq, m.client_id, m.body,
  m.created_at, m.edited_at, m.deleted_at, m.deleted_by, ${senderAndQuotedColumns},
  ${reactionsColumn}, ${mentionsColumn}, ${attachmentsColumn}`;

/**
 * The same columns for a message the statement stores itself (`m` holds what it stores, `now()` its time): nothing
 * edited, deleted, reacted to, mentioned or attached yet (mentions and images are added after, in the send's
 * transaction), so no lookups for them (~20 µs a row).
 */
const storedMessageColumns = sql`m.id as message_id, m.room_id, m.seq, m.client_id, m.body, now() as created_at,
  null as edited_at, null as deleted_at, null as deleted_by, ${senderAndQuotedColumns},
  null as reactions, null as mentions, null as attachments`;

/** The `reply_to` column of `messageWithSenderColumns`. */
interface QuotedRow {
  id: string;
  seq: number;
  body: string;
  deletedAt: string | null;
  senderId: number;
  username: string;
  displayName: string;
  avatarVersion: number | null;
}

/** A row of `messageWithSenderColumns`: bigints come as strings, or as numbers inside `row_to_json`. */
export interface MessageWithSenderRow {
  message_id: string | number;
  room_id: number;
  seq: string | number;
  client_id: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  deleted_by: MessageWithSender['deletedBy'] | null;
  id: number;
  username: string;
  display_name: string;
  avatar_version: number | null;
  reply_to: QuotedRow | null;
  reactions: ReactionSummary[] | null;
  mentions: MentionRow[] | null;
  attachments: StoredAttachment[] | null;
}

export function messageOfRow(row: MessageWithSenderRow): MessageWithSender {
  return {
    id: String(row.message_id),
    roomId: row.room_id,
    seq: Number(row.seq),
    clientId: row.client_id,
    body: row.body,
    createdAt: new Date(row.created_at),
    editedAt: dateOrNull(row.edited_at),
    deletedAt: dateOrNull(row.deleted_at),
    deletedBy: row.deleted_by,
    reactions: row.reactions ?? [],
    mentions: (row.mentions ?? []).map(shownUserOfMention),
    attachments: row.attachments ?? [],
    sender: {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      avatarVersion: row.avatar_version,
    },
    quoted: row.reply_to && quotedOfRow(row.reply_to),
  };
}

function quotedOfRow(row: QuotedRow): QuotedMessage {
  return {
    id: row.id,
    seq: Number(row.seq),
    body: row.body,
    deletedAt: dateOrNull(row.deletedAt),
    sender: {
      id: row.senderId,
      username: row.username,
      displayName: row.displayName,
      avatarVersion: row.avatarVersion,
    },
  };
}

/** What deciding who may read or write a room needs of it (`services/chat/rooms.ts`). */
export type RoomAccessRow = Pick<Room, 'id' | 'kind' | 'userLow' | 'userHigh'>;

/**
 * The rooms with these ids (those that exist, in no order), each read by its key: after a restart every open tab
 * asks for its room again, and thousands of rooms asked for together go as a few statements (the caller gathers
 * them), where a `findOne` each cost ~1 ms of CPU (docs/performance.md, entry 49).
 */
export async function roomAccesses(em: EntityManager, ids: readonly number[]): Promise<RoomAccessRow[]> {
  const rows = await queryPrepared<{
    id: number;
    kind: Room['kind'];
    user_low: number | null;
    user_high: number | null;
  }>(
    em,
    sql`select r.id, r.kind, r.user_low, r.user_high
      from ${wantedIds(ids)}, lateral (select * from rooms r where r.id = wanted.id offset 0) r`,
  );
  return rows.map((row) => ({ id: row.id, kind: row.kind, userLow: row.user_low, userHigh: row.user_high }));
}

/** Where a room's stream starts (`streamStarts`): the room's position, and its newest events up to it, in order. */
export interface StreamStart {
  id: number;
  position: number;
  events: StoredEvent[];
}

/**
 * Where each room stands and its newest events (at most `newest` of each, up to its position), for the streams an
 * instance opens together: after a restart every room with a reader starts at once, and a statement each was
 * most of what a web-like storm's private rooms cost (docs/performance.md, entry 58). A room not found is left out.
 */
export async function streamStarts(
  em: EntityManager,
  wanted: readonly { id: number; newest: number }[],
): Promise<StreamStart[]> {
  const rows = await queryPrepared<
    Partial<MessageWithSenderRow> & {
      stream_room: number;
      stream_head: string;
      position: string | null;
      type: RoomEvent['type'] | null;
    }
  >(
    em,
    sql`select r.id as stream_room, r.position as stream_head, e.position, e.type, ${messageWithSenderColumns}
      from unnest((select ${wanted.map((w) => w.id)}::int[]), (select ${wanted.map((w) => w.newest)}::int[]))
          as wanted(id, newest)
        join lateral (select * from rooms r where r.id = wanted.id offset 0) r on true
        left join lateral (select * from room_events e where e.room_id = r.id and e.position <= r.position
          order by e.position desc limit wanted.newest) e on true
        left join messages m on m.id = e.message_id
        left join users u on u.id = m.sender_id`,
  );
  const starts = new Map<number, StreamStart>();
  for (const row of rows) {
    let start = starts.get(row.stream_room);
    if (!start) {
      start = { id: row.stream_room, position: Number(row.stream_head), events: [] };
      starts.set(row.stream_room, start);
    }
    if (row.position === null || row.type === null) continue;
    const message = messageOfRow(row as MessageWithSenderRow);
    start.events.push({ position: Number(row.position), type: row.type, message });
  }
  for (const start of starts.values()) start.events.sort((a, b) => a.position - b.position);
  return [...starts.values()];
}

/**
 * Takes the room's next position and locks the room row until the transaction ends: concurrent writers queue
 * here, so positions are dense and commit in order.
 */
export async function takeNextPosition(tx: EntityManager, roomId: number): Promise<Room['position']> {
  const row = await queryOne<{ position: string }>(
    tx,
    sql`update rooms set position = position + 1, last_activity_at = now() where id = ${roomId}
      returning position`,
  );
  if (!row) throw new Error(`Room ${roomId} vanished while taking its next position`);
  return Number(row.position);
}

/** Where a member of a private room stands after a new message: their read position and unread count. */
export interface MemberRead {
  userId: RoomMember['userId'];
  readSeq: RoomMember['readSeq'];
  unread: number;
}

export interface AppendedMessage {
  message: MessageWithSender;
  kind: Room['kind'];
  /** In a private room, the members other than the sender; empty in the public room. */
  others: MemberRead[];
}

interface AppendedRow extends MessageWithSenderRow {
  ord: number;
  room_kind: Room['kind'];
  others: { userId: number; readSeq: number | string; unread: number | string }[] | null;
}

/** One send to append: who sends what, with the client's id for it, and the message it answers, if any. */
export interface Send {
  roomId: number;
  senderId: number;
  clientId: string;
  body: string;
  replyToId?: string | null | undefined;
}

/**
 * The whole acknowledged send in one statement, so one round trip: see `appendMessages`. Null when refused; a
 * unique violation when the clientId was used before.
 */
export async function appendMessage(em: EntityManager, send: Send): Promise<AppendedMessage | null> {
  const [appended] = await appendMessages(em, [send]);
  return appended ?? null;
}

/**
 * Sends, to one room or many, in one statement (group commit): for each room it takes as many of its next
 * positions as sends to it are allowed, in the order given, under the room row's lock (the batch's rooms locked in
 * id order, each before its members' rows, so two statements never wait for each other crosswise), stores the
 * messages and their events, moves each sender's read position and, in a private room, both members' kept unread
 * count (`RoomMember.unread`). Each send is checked on its own: stored only if its sender may write there now (not
 * muted or banned; in a private room, a member still friends with the other) and its reply, if any, answers a
 * message of that room not deleted. Answers in the order given, null for each refused send; a unique violation
 * (and nothing stored) when a clientId was used before.
 */
export async function appendMessages(
  em: EntityManager,
  sends: readonly Send[],
): Promise<(AppendedMessage | null)[]> {
  const rows = await queryPrepared<AppendedRow>(em, appendStatement(sends));
  const byOrd = new Map(rows.map((row) => [row.ord, appendedOfRow(row)]));
  return sends.map((_, ord) => byOrd.get(ord) ?? null);
}

/** The statement of `appendMessages` (exported for `bench/append-probe.ts`, which explains it). */
export function appendStatement(sends: readonly Send[]) {
  // The sends as columns of arrays, not a row of values each: one text for every batch size, so one prepared
  // statement (a text's plan holds ~0.5–0.8 MB of each pooled connection's memory; docs/performance.md, entry 15).
  // The arrays behind a subquery with `offset 0`: PostgreSQL then guesses a batch's size alike whether it plans for
  // the values or for any, the two plans are one, and it keeps the generic one from the sixth run on. Seeing a
  // one-row batch, it priced that plan below the generic one and planned again on every run: ~1.8 ms each, for a
  // quarter of the sends. Every row the statement reads is then found by its key whatever the planner guesses of a
  // batch or a table: a lateral subquery or an EXISTS with `offset 0` runs per row through its index, where a join
  // or an EXISTS could become a hash of a table read whole (docs/performance.md, entry 34;
  // tests/statements/plans.test.ts). Two CTEs, read rooms and placed sends, keep the plan small: PostgreSQL builds
  // it anew for every run, a quarter of the statement's cost (entry 36).
  return sql`with sent as (
        select s.* from (select ${sends.map((_, ord) => ord)}::int[] as ords,
            ${sends.map((send) => send.roomId)}::int[] as room_ids,
            ${sends.map((send) => send.senderId)}::int[] as sender_ids,
            ${sends.map((send) => send.clientId)}::text[] as client_ids,
            ${sends.map((send) => send.body)}::text[] as bodies,
            ${sends.map((send) => send.replyToId ?? null)}::bigint[] as reply_to_ids offset 0) batch,
          unnest(batch.ords, batch.room_ids, batch.sender_ids, batch.client_ids, batch.bodies, batch.reply_to_ids)
            as s(ord, room_id, sender_id, client_id, body, reply_to_id)),
      -- Each room of the batch locked, then, in a private room, its two members' rows (where they stand now: read
      -- position, unread count) and whether they are friends: in the rooms' order, a room's row always before its
      -- members', so two statements never wait for each other's rows crosswise. Every room made through the API has
      -- its members' rows, from the transaction that made it; the public room has none.
      here as materialized (
        select r.*, lo.read_seq as low_read, lo.unread as low_unread, hi.read_seq as high_read,
          hi.unread as high_unread, exists (select 1 from friendships f
            where f.user_low = r.user_low and f.user_high = r.user_high offset 0) as friends
        from (select distinct room_id from sent order by room_id) s
          cross join lateral (select r.id, r.kind, r.user_low, r.user_high, r.position from rooms r
            where r.id = s.room_id offset 0 for update) r
          left join lateral (select m.read_seq, m.unread from room_members m
            where m.room_id = r.id and m.user_id = r.user_low offset 0 for update) lo on true
          left join lateral (select m.read_seq, m.unread from room_members m
            where m.room_id = r.id and m.user_id = r.user_high offset 0 for update) hi on true),
      -- Each stored send: its id and position (the k-th of its room's n sends takes the k-th next one), and in a
      -- private room where each member stands at it. Its member's last send in the batch up to it (low_k, high_k;
      -- null: none yet) is a running max over the batch's rows in one pass, where a subquery per row would scan
      -- them all again: after their own last send only the other's since are unread; before any, the batch's so
      -- far add to what was.
      placed as materialized (
        select m.*, case when m.low_k is null then m.low_read else m.position + m.low_k end as low_seq,
          case when m.low_k is null then m.low_unread + m.k else m.k - m.low_k end as low_count,
          case when m.high_k is null then m.high_read else m.position + m.high_k end as high_seq,
          case when m.high_k is null then m.high_unread + m.k else m.k - m.high_k end as high_count
        from (select a.*, nextval('messages_id_seq') as id, a.position + a.k as seq,
            max(a.k) filter (where a.sender_id = a.user_low) over upto as low_k,
            max(a.k) filter (where a.sender_id = a.user_high) over upto as high_k
          from (
            -- The sends allowed: reads the locked rooms, every one of them locked before any update (the window
            -- needs every row).
            select s.*, r.kind, r.user_low, r.user_high, r.position, r.low_read, r.low_unread, r.high_read,
              r.high_unread, row_number() over room_sends as k, count(*) over room_sends as n
            from sent s join here r on r.id = s.room_id
            where not exists (select 1 from users w where w.id = s.sender_id
                and (w.muted_until > now() or w.banned_until > now()) offset 0)
              and (r.kind = 'public' or (s.sender_id in (r.user_low, r.user_high) and r.friends))
              -- A reply answers a message of this room that is still there.
              and (s.reply_to_id is null or exists (select 1 from messages o
                where o.id = s.reply_to_id and o.room_id = r.id and o.deleted_at is null offset 0))
            window room_sends as (partition by s.room_id order by s.ord
              rows between unbounded preceding and unbounded following)) a
          window upto as (partition by a.room_id order by a.ord)) m),
      room as (
        update rooms r set position = a.position + a.n, last_activity_at = now()
        from (select distinct room_id, position, n from placed) a
        where r.id = a.room_id),
      stored as (
        insert into messages (id, room_id, seq, sender_id, client_id, body, reply_to_id, created_at)
        select id, room_id, seq, sender_id, client_id, body, reply_to_id, now() from placed),
      event as (
        insert into room_events (room_id, position, type, message_id)
        select room_id, seq, 'message.created', id from placed),
      -- Each member row the batch moves, as it stands after the room's last new message: both members of a private
      -- room; in the public room each sender's read position (its count is not kept). Materialized: the update
      -- below re-reads it for a row changed since this statement began (PostgreSQL's recheck of a newer version),
      -- and inlined as a union it lost the rows of its second part there (PostgreSQL 15).
      moved as materialized (
        select room_id, user_low as user_id, low_seq as read_seq, low_count as unread from placed
          where kind = 'private' and k = n
        union all
        select room_id, user_high, high_seq, high_count from placed where kind = 'private' and k = n
        union all
        select room_id, sender_id, max(seq), null from placed where kind = 'public' group by room_id, sender_id),
      seen as (
        update room_members rm set read_seq = greatest(rm.read_seq, t.read_seq), unread = coalesce(t.unread, rm.unread)
        from moved t where rm.room_id = t.room_id and rm.user_id = t.user_id)
      select m.ord, ${storedMessageColumns}, m.kind as room_kind,
        case when m.kind = 'private' and m.sender_id = m.user_low
          then json_build_array(json_build_object('userId', m.user_high, 'readSeq', m.high_seq,
            'unread', m.high_count))
        when m.kind = 'private'
          then json_build_array(json_build_object('userId', m.user_low, 'readSeq', m.low_seq,
            'unread', m.low_count)) end as others
      from placed m join users u on u.id = m.sender_id`;
}

function appendedOfRow(row: AppendedRow): AppendedMessage {
  const others = (row.others ?? []).map((other) => ({
    userId: other.userId,
    readSeq: Number(other.readSeq),
    unread: Number(other.unread),
  }));
  return { message: messageOfRow(row), kind: row.room_kind, others };
}

interface RoomSeenRow {
  id: number;
  kind: Room['kind'];
  name: string;
  position: string;
  read_seq: string | null;
  other_id: number | null;
  other_username: string | null;
  other_display_name: string | null;
  other_avatar_version: number | null;
  friends: boolean;
  last: MessageWithSenderRow | null;
  unread: string;
  mentions: string;
}

/**
 * The rooms a reader sees, newest activity first, each with its newest message and the reader's unread count
 * (or only room `only`). One statement: the preview is a row picked per room and the count a correlated
 * recount, which the query builder cannot select. A room with someone who blocked the viewer is left out.
 */
export async function roomsSeenBy(
  em: EntityManager,
  userId: number | null,
  only?: number,
): Promise<RoomSeenBy[]> {
  const viewer = userId ?? 0;
  const rows = await query<RoomSeenRow>(
    em,
    sql`select r.id, r.kind, r.name, r.position, mem.read_seq,
        o.id as other_id, o.username as other_username, o.display_name as other_display_name,
        o.avatar_version as other_avatar_version,
        exists (select 1 from friendships f where f.user_low = r.user_low and f.user_high = r.user_high) as friends,
        (select row_to_json(last) from (
          select ${messageWithSenderColumns} from messages m join users u on u.id = m.sender_id
          where m.room_id = r.id and m.deleted_at is null order by m.seq desc limit 1
        ) last) as last,
        -- A private room's count is kept on the membership; the public room's is counted.
        case when r.kind = 'private' then coalesce(mem.unread, 0) else (select count(*) from messages x
          where x.room_id = r.id and x.seq > coalesce(mem.read_seq, r.position) and x.deleted_at is null
            and x.sender_id <> ${viewer}) end as unread,
        ${unreadMentionsCount(sql`r.id`, sql`coalesce(mem.read_seq, r.position)`, viewer)} as mentions
      from rooms r
      left join room_members mem on mem.room_id = r.id and mem.user_id = ${viewer}
      left join users o on r.kind = 'private' and o.id = case when r.user_low = ${viewer} then r.user_high else r.user_low end
      where (r.kind = 'public' or (${viewer} in (r.user_low, r.user_high)
        -- Someone who blocked the viewer never appears to them, here as in search.
        and not exists (select 1 from blocks b where b.blocker_id = o.id and b.blocked_id = ${viewer})))
        ${only === undefined ? sql`` : sql`and r.id = ${only}`}
      order by r.last_activity_at desc, r.id`,
  );
  return rows.map(roomSeenOfRow);
}

function roomSeenOfRow(row: RoomSeenRow): RoomSeenBy {
  const other =
    row.other_id === null || row.other_username === null || row.other_display_name === null
      ? null
      : {
          id: row.other_id,
          username: row.other_username,
          displayName: row.other_display_name,
          avatarVersion: row.other_avatar_version,
        };
  return {
    room: { id: row.id, kind: row.kind, name: row.name, position: Number(row.position) },
    readSeq: row.read_seq === null ? null : Number(row.read_seq),
    other,
    friends: row.friends,
    last: row.last ? messageOfRow(row.last) : null,
    unread: Number(row.unread),
    mentions: Number(row.mentions),
  };
}

/*
 * History pages and catch-up pages stay raw for speed, not for want of words: loading them as entities (em.find with
 * the sender populated) cost ~10x the CPU for a page of 50 messages and ~30x for a catch-up page of 500 events,
 * which then holds the event loop (~100 ms) while a restarted instance's readers resume (docs/performance.md).
 */

/** A page of a room's messages with their senders, newest first: those before `beforeSeq`, or the newest. */
export async function messagesBefore(
  em: EntityManager,
  roomId: number,
  beforeSeq: number | null,
  limit: number,
): Promise<MessageWithSender[]> {
  const rows = await queryPrepared<MessageWithSenderRow>(
    em,
    sql`select ${messageWithSenderColumns} from messages m join users u on u.id = m.sender_id
      where m.room_id = ${roomId} ${beforeSeq === null ? sql`` : sql`and m.seq < ${beforeSeq}`}
      order by m.seq desc limit ${limit}`,
  );
  return rows.map(messageOfRow);
}

/** The messages of a room after `afterSeq`, oldest first, with their senders. */
export async function messagesAfter(
  em: EntityManager,
  roomId: number,
  afterSeq: number,
  limit: number,
): Promise<MessageWithSender[]> {
  const rows = await query<MessageWithSenderRow>(
    em,
    sql`select ${messageWithSenderColumns} from messages m join users u on u.id = m.sender_id
      where m.room_id = ${roomId} and m.seq > ${afterSeq} order by m.seq limit ${limit}`,
  );
  return rows.map(messageOfRow);
}

export type StoredEvent = Pick<RoomEvent, 'position' | 'type'> & { message: MessageWithSender };

/** The room's events after `after` (and before `before`, if given), in order, with each message as it is now. */
export async function eventsAfter(
  em: EntityManager,
  roomId: number,
  after: number,
  before: number | null,
  limit: number,
): Promise<StoredEvent[]> {
  const rows = await queryPrepared<MessageWithSenderRow & { position: string; type: RoomEvent['type'] }>(
    em,
    sql`select e.position, e.type, ${messageWithSenderColumns}
      from room_events e join messages m on m.id = e.message_id join users u on u.id = m.sender_id
      where e.room_id = ${roomId} and e.position > ${after}
        ${before === null ? sql`` : sql`and e.position < ${before}`}
      order by e.position limit ${limit}`,
  );
  return rows.map((row) => ({ position: Number(row.position), type: row.type, message: messageOfRow(row) }));
}

/** What a message row alone does not hold: its reactions and its images. */
export type MessageExtras = Pick<MessageWithSender, 'reactions' | 'attachments' | 'mentions'>;

/**
 * The reactions, images and mentions of these messages (by id), aggregated as history aggregates them: for
 * messages loaded as entities, in one query.
 */
export async function extrasOf(
  em: EntityManager,
  messageIds: readonly string[],
): Promise<Map<string, MessageExtras>> {
  if (messageIds.length === 0) return new Map();
  const rows = await query<{
    id: string;
    reactions: ReactionSummary[] | null;
    attachments: StoredAttachment[] | null;
    mentions: MentionRow[] | null;
  }>(
    em,
    sql`select m.id, ${reactionsColumn}, ${attachmentsColumn}, ${mentionsColumn} from messages m
      where m.id in (${list(messageIds)})`,
  );
  return new Map(
    rows.map((row) => [
      String(row.id),
      {
        reactions: row.reactions ?? [],
        attachments: row.attachments ?? [],
        mentions: (row.mentions ?? []).map(shownUserOfMention),
      },
    ]),
  );
}
