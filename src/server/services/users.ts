import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import { avatarUrl } from '../../shared/avatars.ts';
import type { Relation, searchInput, updateProfileInput } from '../../shared/people.ts';
import { hasControlCharacters } from '../../shared/text.ts';
import { User } from '../db/entities/index.ts';
import { escapeLike, query, queryOne, sql } from '../db/sql.ts';
import { type PublicUser, publicUserOf } from '../views/people.ts';

export type { PublicUser };

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  avatar_version: number | null;
}

/** Who did something, as notifications and checks need them. */
export interface Actor {
  id: number;
  username: string;
  displayName: string;
}

export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: avatarUrl(row.id, row.avatar_version),
  };
}

export const publicUserColumns = sql`u.id, u.username, u.display_name, u.avatar_version`;

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
export function pendingRequestIdSql(viewerId: number) {
  return sql`(select r.id from friend_requests r where r.status = 'pending'
    and ((r.from_id = u.id and r.to_id = ${viewerId}) or (r.from_id = ${viewerId} and r.to_id = u.id)))`;
}

/** Hides users who blocked the viewer. */
export function notBlockedBySql(viewerId: number) {
  return sql`not exists (select 1 from blocks b where b.blocker_id = u.id and b.blocked_id = ${viewerId})`;
}

interface SearchRow extends UserRow {
  relation: Relation;
  request_id: number | null;
  rank: number;
  sort_name: string;
}

type Cursor = [rank: number, sortName: string, id: number];

function encodeCursor(row: SearchRow): string {
  return Buffer.from(JSON.stringify([row.rank, row.sort_name, row.id] satisfies Cursor)).toString(
    'base64url',
  );
}

/** What a cursor decodes to is bound into SQL: only the shape we made, with text the database can store. */
function isCursor(value: unknown): value is Cursor {
  if (!Array.isArray(value) || value.length !== 3) return false;
  const [rank, name, id] = value as unknown[];
  return (
    typeof rank === 'number' &&
    typeof name === 'string' &&
    !hasControlCharacters(name) &&
    typeof id === 'number'
  );
}

function decodeCursor(cursor: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (isCursor(value)) return value;
  } catch {}
  throw new TRPCError({
    code: 'BAD_REQUEST',
    message: 'That page cursor is not valid; start the search again.',
  });
}

/** Username or display name matches, ranked exact, then prefix, then substring; never the email. */
export async function searchUsers(em: EntityManager, viewerId: number, input: z.output<typeof searchInput>) {
  const q = input.query.toLowerCase();
  // Trigram indexes need three characters; shorter queries match by prefix, which the pattern-ops indexes serve.
  const contains = `%${escapeLike(q)}%`;
  const prefix = `${escapeLike(q)}%`;
  const pattern = q.length < 3 ? prefix : contains;
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const rows = await query<SearchRow>(
    em,
    sql`select * from (
      select ${publicUserColumns}, ${relationSql(viewerId)} as relation, ${pendingRequestIdSql(viewerId)} as request_id,
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
    limit ${input.limit + 1}`,
  );
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({ ...toPublicUser(row), relation: row.relation, requestId: row.request_id })),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
  };
}

interface ProfileRow extends UserRow {
  bio: string;
  email: string;
  show_email: boolean;
  created_at: string;
  relation: Relation;
  request_id: number | null;
  friend_count: string;
}

export async function profileByUsername(em: EntityManager, viewerId: number, username: string) {
  const row = await queryOne<ProfileRow>(
    em,
    sql`select ${publicUserColumns}, u.bio, u.email, u.show_email, u.created_at, ${relationSql(viewerId)} as relation,
      ${pendingRequestIdSql(viewerId)} as request_id,
      (select count(*) from friendships f where f.user_low = u.id or f.user_high = u.id) as friend_count
    from users u
    where lower(u.username) = ${username.toLowerCase()} and ${notBlockedBySql(viewerId)}`,
  );
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `There is no user called ${username}.` });
  return {
    ...toPublicUser(row),
    bio: row.bio,
    joinedAt: new Date(row.created_at).toISOString(),
    friendCount: Number(row.friend_count),
    relation: row.relation,
    /** The pending request for Accept, Decline or Cancel, when the relation is incoming or outgoing. */
    requestId: row.request_id,
    email: row.relation === 'self' || row.show_email ? row.email : null,
    /** Your own setting; others see only whether the email is there. */
    showEmail: row.relation === 'self' ? row.show_email : undefined,
  };
}

export async function updateProfile(
  em: EntityManager,
  userId: number,
  input: z.output<typeof updateProfileInput>,
) {
  const user = await em.findOneOrFail(User, { id: userId });
  if (input.displayName !== undefined) user.displayName = input.displayName;
  if (input.bio !== undefined) user.bio = input.bio;
  if (input.showEmail !== undefined) user.showEmail = input.showEmail;
  await em.flush();
  return {
    ...publicUserOf(user),
    bio: user.bio,
    showEmail: user.showEmail,
  };
}

export async function loadPublicUser(em: EntityManager, userId: number): Promise<PublicUser | null> {
  const row = await queryOne<UserRow>(
    em,
    sql`select ${publicUserColumns} from users u where u.id = ${userId}`,
  );
  return row ? toPublicUser(row) : null;
}
