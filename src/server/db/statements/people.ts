/**
 * The people queries the query builder cannot say: trigram-ranked search with a keyset cursor over computed
 * columns, and the viewer's relation to each person as one `case` over four tables. Each statement maps its raw
 * row (snake_case, strings for timestamps) to entity-derived types here, and nowhere else.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Relation } from '../../../shared/people.ts';
import type { FriendRequest, User } from '../entities/index.ts';
import { escapeLike, joined, query, queryOne, queryPrepared, type Sql, sql, wantedIds } from './sql.ts';

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

/**
 * Hides users who blocked the viewer. The viewer's blockers are read once into a hashed list: as an anti-join the
 * planner, misjudging how many people a trigram match finds, re-read the blocks table once per hit.
 */
function notBlockedBySql(viewerId: number) {
  return sql`u.id not in (select b.blocker_id from blocks b where b.blocked_id = ${viewerId})`;
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

/**
 * Where a search page ends: its last hit's rank and lower-case username (the order of the results). Usernames are
 * unique in lower case, so the name alone orders a rank; the id stays so cursors handed out before remain valid.
 */
export type SearchPosition = [rank: number, sortName: string, id: number];

export type SearchHit = PersonSeen & { position: SearchPosition };

interface SearchRow extends PersonRow {
  rank: number;
  sort_name: string;
}

/** The three ranks of a match, in the order a search lists them; a cursor carries the rank it stopped in. */
const exactRank = 0;
const prefixRank = 1;
const insideRank = 2;

/** Lower-cased usernames are made of [a-z0-9_.-] (users_username_format): this sorts after every one of them. */
const aboveEveryUsername = '{';

/** What one search looks for, as the statement's pieces need it. */
interface SearchTerms {
  viewerId: number;
  /** The lower-cased text. */
  text: string;
  /** The text as a LIKE pattern, its wildcards escaped, for a name that holds it anywhere. */
  holds: string;
  limit: number;
  after: SearchPosition | null;
}

/**
 * Who the viewer may find in one rank, after the cursor when it stopped in that rank. Names compare as bytes
 * (`~>~`, the order of the `text_pattern_ops` indexes): the same order as the C.UTF-8 database's for usernames.
 */
function findableSql(terms: SearchTerms, rank: number) {
  const afterName = terms.after?.[0] === rank ? terms.after[1] : null;
  return sql`${notBlockedBySql(terms.viewerId)}
    ${afterName === null ? sql`` : sql`and lower(u.username) ~>~ ${afterName}`}`;
}

const hitColumns = sql`u.id, lower(u.username) as sort_name`;

/** Exact matches: at most a handful, through the unique username index and the display-name index. */
function exactHitsSql(terms: SearchTerms) {
  return sql`select ${hitColumns} from users u
    where (lower(u.username) = ${terms.text} or lower(u.display_name) = ${terms.text})
      and ${findableSql(terms, exactRank)}`;
}

/**
 * Prefix matches, the first `limit` by username: a walk of the username index in its order that stops at a page,
 * and the display names with the prefix whose username sorts within that page (a second key in the display-name
 * index, so the rest are passed over in the index without reading their rows). A display name alone can only
 * join the page below its last username; while the usernames run out first, every display-name match counts.
 */
function prefixHitsSql(terms: SearchTerms) {
  const notExact = sql`not (lower(u.username) = ${terms.text} or lower(u.display_name) = ${terms.text})`;
  return sql`with by_username as materialized (
      select ${hitColumns} from users u
      where starts_with(lower(u.username), ${terms.text}) and ${notExact} and ${findableSql(terms, prefixRank)}
      order by lower(u.username) using ~<~
      limit ${terms.limit})
    select * from by_username
    union
    select ${hitColumns} from users u
    where starts_with(lower(u.display_name), ${terms.text}) and ${notExact} and ${findableSql(terms, prefixRank)}
      and lower(u.username) ~<=~ coalesce((select sort_name from by_username
        order by sort_name using ~<~ offset ${terms.limit - 1} limit 1), ${aboveEveryUsername})`;
}

/**
 * Matches inside a name, through the trigram indexes: read and sorted only when the ranks above leave room.
 * `offset 0` plans them as a whole, so the cost follows the number of matches: asked for a page in order, the
 * planner may walk the username index instead, trusting a LIKE '%…%' estimate (it walked 7,000 names for "999",
 * 280 matches; a rarer one could walk all of them).
 */
function insideHitsSql(terms: SearchTerms) {
  return sql`select ${hitColumns} from users u
    where (lower(u.username) like ${terms.holds} or lower(u.display_name) like ${terms.holds})
      and not (starts_with(lower(u.username), ${terms.text}) or starts_with(lower(u.display_name), ${terms.text}))
      and ${findableSql(terms, insideRank)}
    offset 0`;
}

/**
 * The ranks this page reads: from the cursor's on. Trigram indexes need three characters, so shorter text matches
 * exactly or by prefix only, which the pattern-ops indexes serve.
 */
function ranksToRead(terms: SearchTerms) {
  const ranks = [
    { rank: exactRank, name: sql`exact_hits`, hits: exactHitsSql },
    { rank: prefixRank, name: sql`prefix_hits`, hits: prefixHitsSql },
    { rank: insideRank, name: sql`inside_hits`, hits: insideHitsSql },
  ];
  const from = terms.after?.[0] ?? exactRank;
  return ranks.filter(({ rank }) => rank >= from && (rank !== insideRank || terms.text.length >= 3));
}

/** Whether the ranks read before this one found fewer than a page: a condition with no row in it, checked once. */
function roomLeftAfter(earlier: readonly { name: Sql }[], limit: number) {
  if (earlier.length === 0) return sql`true`;
  return sql`${joined(
    earlier.map(({ name }) => sql`(select count(*) from ${name})`),
    ' + ',
  )} < ${limit}`;
}

/**
 * Username or display name matches, ranked exact, then prefix, then substring, after `after`; never the email,
 * never someone who blocked the viewer. `limit` rows at most, in one statement: each rank is read only when the
 * ranks before it found fewer than `limit` (a condition PostgreSQL checks once, before reading the rank), so a
 * common prefix fills the page from the indexes' order without touching the trigram indexes or sorting its
 * thousands of matches. The viewer's relation is worked out for the page's rows only.
 */
export async function searchPeople(
  em: EntityManager,
  viewerId: number,
  search: { text: string; after: SearchPosition | null; limit: number },
): Promise<SearchHit[]> {
  const text = search.text.toLowerCase();
  const terms: SearchTerms = {
    viewerId,
    text,
    holds: `%${escapeLike(text)}%`,
    limit: search.limit,
    after: search.after,
  };
  const ranks = ranksToRead(terms);
  if (ranks.length === 0) return [];
  const hitsOfEachRank = joined(
    ranks.map(
      ({ name, hits }, i) =>
        sql`${name} as materialized (select * from (${hits(terms)}) hits
          where ${roomLeftAfter(ranks.slice(0, i), terms.limit)}
          order by sort_name using ~<~ limit ${terms.limit})`,
    ),
  );
  const page = joined(
    ranks.map(({ rank, name }) => sql`select ${rank} as rank, id, sort_name from ${name}`),
    ' union all ',
  );
  const rows = await query<SearchRow>(
    em,
    sql`with ${hitsOfEachRank}
    select ${personColumns}, ${relationSql(viewerId)} as relation, ${pendingRequestIdSql(viewerId)} as request_id,
      page.sort_name, page.rank
    from (${page} order by rank, sort_name using ~<~ limit ${terms.limit}) page
    join users u on u.id = page.id
    order by page.rank, page.sort_name using ~<~`,
  );
  // Added to the view, not spread into a copy with it: Node 20 promotes such copies (procedure-call.ts).
  return rows.map((row) => {
    const position: SearchPosition = [row.rank, row.sort_name, row.id];
    return Object.assign(personSeenOf(row), { position });
  });
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

/**
 * Each of these people's unread notifications, counted (0 for none), in one statement: every tab that opens (after
 * a restart, every tab at once) asks for its owner's count (`services/notifications.ts`).
 */
export async function unreadNotificationCounts(
  em: EntityManager,
  userIds: readonly number[],
): Promise<{ id: number; unread: number }[]> {
  const rows = await queryPrepared<{ id: number; unread: string }>(
    em,
    sql`select wanted.id,
        (select count(*) from notifications n where n.user_id = wanted.id and n.read_at is null) as unread
      from ${wantedIds(userIds)}`,
  );
  return rows.map((row) => ({ id: row.id, unread: Number(row.unread) }));
}
