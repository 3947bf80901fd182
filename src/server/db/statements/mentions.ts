import type { EntityManager } from '@mikro-orm/postgresql';
import type { ShownUser } from '../../views/chat.ts';
import type { Room } from '../entities/index.ts';
import { escapeLike, list, query, queryOne, type Sql, sql } from './sql.ts';

/**
 * Mentions' statements: resolving `@names` to the people who can read the room (and storing them), the people a
 * message mentions as one column of every message statement, the unread-mentions count beside `unread`, and the
 * composer's candidates. Each maps its raw row to entity types here, once.
 */

/** The people a message (`m`) mentions as one JSON array, lowest id first; null when it mentions nobody. */
export const mentionsColumn = sql`(select json_agg(json_build_object('id', mu.id, 'username', mu.username,
    'displayName', mu.display_name, 'avatarVersion', mu.avatar_version) order by mu.id)
  from message_mentions mm join users mu on mu.id = mm.user_id where mm.message_id = m.id) as mentions`;

/**
 * How many messages after `readSeq` in room `roomId` mention `userId`: those still there, from others. A
 * correlated count, so the room list and a read stay one statement each.
 */
export const unreadMentionsCount = (roomId: Sql, readSeq: Sql, userId: Sql | number) =>
  sql`(select count(*) from message_mentions mm join messages x on x.id = mm.message_id
    where mm.user_id = ${userId} and x.room_id = ${roomId} and x.seq > ${readSeq}
      and x.deleted_at is null and x.sender_id <> ${userId})`;

/** A person as the `mentions` column carries them. */
export interface MentionRow {
  id: number;
  username: string;
  displayName: string;
  avatarVersion: number | null;
}

export const shownUserOfMention = ({ id, username, displayName, avatarVersion }: MentionRow): ShownUser => ({
  id,
  username,
  displayName,
  avatarVersion,
});

/** Who may be mentioned in room `room` (`room` is the rooms row): an active account there, or a member here. */
const canReadRoom = sql`(case when room.kind = 'public' then u.banned_until is null or u.banned_until <= now()
  else u.id in (room.user_low, room.user_high) end)`;

/** Someone who blocked `userId` does not exist to them, here as in search. */
const notBlocking = (userId: number) =>
  sql`not exists (select 1 from blocks b where b.blocker_id = u.id and b.blocked_id = ${userId})`;

export interface MentionChange {
  roomKind: Room['kind'];
  /** Everyone the message mentions now, lowest id first. */
  mentioned: ShownUser[];
  /** Those it did not mention before (all of them, for a new message). */
  added: number[];
  /** Those it mentioned before and no longer does (an edit). */
  removed: number[];
}

interface MentionChangeRow {
  room_kind: Room['kind'];
  mentioned: (MentionRow & { added: boolean })[];
  removed: number[];
}

/**
 * Makes message `messageId` mention exactly the people called `names` (lower-case) who can read its room and
 * have not blocked its sender; anyone else named stays text. One statement, for a send or an edit.
 */
export async function resolveMentions(
  em: EntityManager,
  target: { messageId: string; roomId: number; senderId: number; names: readonly string[] },
): Promise<MentionChange> {
  const { messageId, roomId, senderId, names } = target;
  const named = names.length > 0 ? sql`lower(u.username) in (${list(names)})` : sql`false`;
  const row = await queryOne<MentionChangeRow>(
    em,
    sql`with room as (select kind, user_low, user_high from rooms where id = ${roomId}),
      who as (
        select u.id, u.username, u.display_name, u.avatar_version from users u, room
        where ${named} and ${canReadRoom} and ${notBlocking(senderId)}),
      gone as (
        delete from message_mentions where message_id = ${messageId}::bigint
          and user_id not in (select id from who) returning user_id),
      added as (
        insert into message_mentions (message_id, user_id) select ${messageId}::bigint, id from who
        on conflict do nothing returning user_id)
      select room.kind as room_kind,
        (select coalesce(json_agg(json_build_object('id', w.id, 'username', w.username,
            'displayName', w.display_name, 'avatarVersion', w.avatar_version,
            'added', w.id in (select user_id from added)) order by w.id), '[]') from who w) as mentioned,
        (select coalesce(json_agg(user_id order by user_id), '[]') from gone) as removed
      from room`,
  );
  if (!row) throw new Error(`Room ${roomId} vanished while resolving mentions`);
  return {
    roomKind: row.room_kind,
    mentioned: row.mentioned.map(shownUserOfMention),
    added: row.mentioned.flatMap((person) => (person.added ? [person.id] : [])),
    removed: row.removed,
  };
}

/** How many of the newest messages of a room count someone as a recent speaker there. */
const recentMessages = 200;

/**
 * People the viewer can mention in a room whose username or display name starts with `prefix`: friends first,
 * then whoever spoke there lately, then by name. With no prefix yet, only friends and recent speakers (and the
 * other member of a private room), so an empty `@` never lists every account. Never the viewer, nor anyone
 * who blocked them.
 */
export async function mentionCandidates(
  em: EntityManager,
  search: { roomId: number; viewerId: number; prefix: string; limit: number },
): Promise<ShownUser[]> {
  const { roomId, viewerId, limit } = search;
  const prefix = `${escapeLike(search.prefix.toLowerCase())}%`;
  const matching =
    search.prefix === ''
      ? sql`(friend.yes or spoke.last is not null or room.kind = 'private')`
      : sql`(lower(u.username) like ${prefix} or lower(u.display_name) like ${prefix})`;
  const rows = await query<{
    id: number;
    username: string;
    display_name: string;
    avatar_version: number | null;
  }>(
    em,
    sql`with room as (select id, kind, user_low, user_high from rooms where id = ${roomId}),
      recent as (
        select sender_id, max(seq) as last from (select sender_id, seq from messages
          where room_id = ${roomId} order by seq desc limit ${recentMessages}) newest
        group by sender_id)
      select u.id, u.username, u.display_name, u.avatar_version
      from users u cross join room
        left join recent spoke on spoke.sender_id = u.id
        cross join lateral (select exists (select 1 from friendships f
          where f.user_low = least(u.id, ${viewerId}) and f.user_high = greatest(u.id, ${viewerId})) as yes) friend
      where u.id <> ${viewerId} and ${canReadRoom} and ${notBlocking(viewerId)} and ${matching}
      order by friend.yes desc, spoke.last desc nulls last, lower(u.username)
      limit ${limit}`,
  );
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    avatarVersion: row.avatar_version,
  }));
}
