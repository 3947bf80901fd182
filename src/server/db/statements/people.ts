/**
 * The people queries the query builder cannot say: trigram-ranked search with a keyset cursor over computed
 * columns, and the viewer's relation to each person as one `case` over four tables. Each statement maps its raw
 * row (snake_case, strings for timestamps) to entity-derived types here, and nowhere else.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Relation } from '../../../shared/people.ts';
import type { FriendRequest, User } from '../entities/index.ts';
import { escapeLike, query, queryOne, sql } from './sql.ts';

/** The user columns a PublicUser is made of, for the user aliased `u`. */
const personColumns = sql`u.id, u.username, u.display_name, u.avatar_version`;

/** The viewer's relation to the user aliased `u`, as one SQL expression. */
export function relationSql(viewerId: number) {
  return sql`case
    when u.id = ${viewerId} then 'self'
    when exists (select 1 from blocks b where b.blocker_id = ${viewerId} and b.blocked_id = u.id) then 'blocked'
    when exists (select 1 from friendships f
      where f.user_low = least(u.id, ${viewerId}) and f.user_high = greatest(u.id, ${viewerId})) then 'friend'
    when exists (select 1 from friend_requests r
      where r.status = 'pending' and r.from_id = u.id and r.to_id = ${viewerId}) then 'incoming'
    when exists (select 1 from friend_requests r
      where r.status = 'pending' and r.from_id = ${viewerId} and r.to_id = u.id) then 'outgoing'
    else 'none' end`;
}

/** The pending friend request between the viewer and `u`, in either direction: what Accept or Cancel acts on. */
function pendingRequestIdSql(viewerId: number) {
  return sql`(select r.id from friend_requests r where r.status = 'pending'
    and ((r.from_id = u.id and r.to_id = ${viewerId}) or (r.from_id = ${viewerId} and r.to_id = u.id)))`;
}

/** Hides users who blocked the viewer. */
function notBlockedBySql(viewerId: number) {
  return sql`not exists (select 1 from blocks b where b.blocker_id = u.id and b.blocked_id = ${viewerId})`;
}

/** A person as the viewer sees them: who they are, how they relate, and the pending request between them. */
export type PersonSeen = Pick<User, 'id' | 'username' | 'displayName' | 'avatarVersion'> & {
  relation: Relation;
  requestId: FriendRequest['id'] | null;
};

interface PersonRow {
  id: number;
  username: string;
  display_name: string;
  avatar_version: number | null;
  relation: Relation;
  request_id: number | null;
}

const personSeenOf = (row: PersonRow): PersonSeen => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  avatarVersion: row.avatar_version,
  relation: row.relation,
  requestId: row.request_id,
});

/** Where a search page ends: its last hit's rank, lower-case username and id (the order of the results). */
export type SearchPosition = [rank: number, sortName: string, id: number];

export type SearchHit = PersonSeen & { position: SearchPosition };

interface SearchRow extends PersonRow {
  rank: number;
  sort_name: string;
}

/**
 * Username or display name matches, ranked exact, then prefix, then substring, after `after`; never the email,
 * never someone who blocked the viewer. `limit` rows at most.
 */
export async function searchPeople(
  em: EntityManager,
  viewerId: number,
  search: { text: string; after: SearchPosition | null; limit: number },
): Promise<SearchHit[]> {
  const q = search.text.toLowerCase();
  // Trigram indexes need three characters; shorter queries match by prefix, which the pattern-ops indexes serve.
  const contains = `%${escapeLike(q)}%`;
  const prefix = `${escapeLike(q)}%`;
  const pattern = q.length < 3 ? prefix : contains;
  const after = search.after;
  const rows = await query<SearchRow>(
    em,
    sql`select * from (
      select ${personColumns}, ${relationSql(viewerId)} as relation, ${pendingRequestIdSql(viewerId)} as request_id,
        lower(u.username) as sort_name,
        case when lower(u.username) = ${q} or lower(u.display_name) = ${q} then 0
             when lower(u.username) like ${prefix} or lower(u.display_name) like ${prefix} then 1
             else 2 end as rank
      from users u
      where (lower(u.username) like ${pattern} or lower(u.display_name) like ${pattern})
        and ${notBlockedBySql(viewerId)}
    ) hits
    where ${after ? sql`(rank, sort_name, id) > (${after[0]}, ${after[1]}, ${after[2]})` : sql`true`}
    order by rank, sort_name, id
    limit ${search.limit}`,
  );
  return rows.map((row) => ({ ...personSeenOf(row), position: [row.rank, row.sort_name, row.id] }));
}

/** A profile page's person: what anyone may see, what only the owner or friends may, and their friend count. */
export type ProfileSeen = PersonSeen &
  Pick<User, 'bio' | 'email' | 'showEmail' | 'createdAt'> & { friendCount: number };

interface ProfileRow extends PersonRow {
  bio: string;
  email: string;
  show_email: boolean;
  created_at: string;
  friend_count: number;
}

/** The user with that username in any case, unless they blocked the viewer. */
export async function profileSeenBy(
  em: EntityManager,
  viewerId: number,
  username: string,
): Promise<ProfileSeen | null> {
  const row = await queryOne<ProfileRow>(
    em,
    sql`select ${personColumns}, u.bio, u.email, u.show_email, u.created_at, ${relationSql(viewerId)} as relation,
      ${pendingRequestIdSql(viewerId)} as request_id,
      (select count(*)::int from friendships f where f.user_low = u.id or f.user_high = u.id) as friend_count
    from users u
    where lower(u.username) = ${username.toLowerCase()} and ${notBlockedBySql(viewerId)}`,
  );
  if (!row) return null;
  return {
    ...personSeenOf(row),
    bio: row.bio,
    email: row.email,
    showEmail: row.show_email,
    createdAt: new Date(row.created_at),
    friendCount: row.friend_count,
  };
}

/** Where two people stand: friends, a block either way, and the pending request between them if any. */
export interface PairState {
  friends: boolean;
  iBlocked: boolean;
  theyBlocked: boolean;
  pending: Pick<FriendRequest, 'id' | 'fromId'> | null;
}

interface PairRow {
  friends: boolean;
  i_blocked: boolean;
  they_blocked: boolean;
  pending_id: number | null;
  pending_from_id: number | null;
}

/** The pair's state as `me` sees it, in one round trip over three tables (read under the pair's lock). */
export async function pairState(em: EntityManager, me: number, other: number): Promise<PairState> {
  const row = await queryOne<PairRow>(
    em,
    sql`select
      exists (select 1 from friendships
        where user_low = ${Math.min(me, other)} and user_high = ${Math.max(me, other)}) as friends,
      exists (select 1 from blocks where blocker_id = ${me} and blocked_id = ${other}) as i_blocked,
      exists (select 1 from blocks where blocker_id = ${other} and blocked_id = ${me}) as they_blocked,
      r.id as pending_id, r.from_id as pending_from_id
    from (select 1) as pair
    left join friend_requests r on r.status = 'pending'
      and ((r.from_id = ${me} and r.to_id = ${other}) or (r.from_id = ${other} and r.to_id = ${me}))`,
  );
  return {
    friends: row?.friends === true,
    iBlocked: row?.i_blocked === true,
    theyBlocked: row?.they_blocked === true,
    pending:
      row?.pending_id != null && row.pending_from_id != null
        ? { id: row.pending_id, fromId: row.pending_from_id }
        : null,
  };
}

/**
 * Holds the pair's advisory lock until the transaction ends, so changes to one pair (A asks B while B asks A) run
 * one after the other. Either order of the two ids takes the same lock.
 */
export async function lockPair(tx: EntityManager, a: number, b: number): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock(?, ?)', [Math.min(a, b), Math.max(a, b)]);
}
