import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApiToken, Session, User } from '../entities/index.ts';
import { dateOrNull, queryPrepared, type Sql, sql, wantedIds } from './sql.ts';

/*
 * Every HTTP call resolves its credential, so this is the hottest query there is. As `em.findOne` with the owner's
 * fields it cost ~1.4 ms of CPU per call (hydration, populate planning, and a second query to load the owner);
 * this join is one statement mapped once (docs/performance.md, entries 5 and 8).
 */

/** What a credential look-up needs of its owner: who they are now, and what may stop them acting. */
export type CredentialOwner = Pick<
  User,
  | 'id'
  | 'username'
  | 'displayName'
  | 'email'
  | 'role'
  | 'avatarVersion'
  | 'bannedUntil'
  | 'banReason'
  | 'mutedUntil'
  | 'muteReason'
>;

const ownerColumns = sql`u.id, u.username, u.display_name, u.email, u.role, u.avatar_version, u.banned_until,
  u.ban_reason, u.muted_until, u.mute_reason`;

interface OwnerRow {
  id: number;
  username: string;
  display_name: string;
  email: string;
  role: User['role'];
  avatar_version: number | null;
  banned_until: string | Date | null;
  ban_reason: string | null;
  muted_until: string | Date | null;
  mute_reason: string | null;
}

function ownerOfRow(row: OwnerRow): CredentialOwner {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    role: row.role,
    avatarVersion: row.avatar_version,
    bannedUntil: dateOrNull(row.banned_until),
    banReason: row.ban_reason,
    mutedUntil: dateOrNull(row.muted_until),
    muteReason: row.mute_reason,
  };
}

export type SessionWithOwner = Pick<Session, 'id' | 'secretHash' | 'expiresAt' | 'lastVerifiedAt'> & {
  user: CredentialOwner;
};

/**
 * The rows of `table` (sessions or API tokens) with these ids as `c`, each with its owner as `u`, all found through
 * primary keys (`wantedIds`: PostgreSQL guesses the ids' number alike whether it plans for the values or for any,
 * so it keeps the generic plan, planned for one id, where it was planned again on more than half its runs).
 */
const credentialsWithOwners = (table: Sql, ids: readonly string[]) =>
  sql`${wantedIds(ids)},
    lateral (select * from ${table} c where c.id = wanted.id offset 0) c,
    lateral (select * from users u where u.id = c.user_id offset 0) u`;

/**
 * The sessions with these ids and their owners, in one statement (those that exist, in no order): many sockets'
 * look-ups arrive together after a restart, and go as one (`auth/credential-reads.ts`). Prepared, with the ids
 * bound as one array, so one text (one plan per connection) serves any number of them.
 */
export async function sessionsWithOwners(
  em: EntityManager,
  ids: readonly string[],
): Promise<SessionWithOwner[]> {
  const rows = await queryPrepared<
    OwnerRow & {
      session_id: string;
      secret_hash: Uint8Array;
      expires_at: string | Date;
      last_verified_at: string | Date;
    }
  >(
    em,
    sql`select c.id as session_id, c.secret_hash, c.expires_at, c.last_verified_at, ${ownerColumns}
      from ${credentialsWithOwners(sql`sessions`, ids)}`,
  );
  return rows.map((row) => ({
    id: row.session_id,
    secretHash: row.secret_hash,
    expiresAt: new Date(row.expires_at),
    lastVerifiedAt: new Date(row.last_verified_at),
    user: ownerOfRow(row),
  }));
}

export type ApiTokenWithOwner = Pick<ApiToken, 'id' | 'secretHash' | 'lastUsedAt'> & {
  user: CredentialOwner;
};

/** The API tokens with these ids and their owners, in one statement (those that exist, in no order). */
export async function apiTokensWithOwners(
  em: EntityManager,
  ids: readonly string[],
): Promise<ApiTokenWithOwner[]> {
  const rows = await queryPrepared<
    OwnerRow & { token_id: string; secret_hash: Uint8Array; last_used_at: string | Date | null }
  >(
    em,
    sql`select c.id as token_id, c.secret_hash, c.last_used_at, ${ownerColumns}
      from ${credentialsWithOwners(sql`api_tokens`, ids)}`,
  );
  return rows.map((row) => ({
    id: row.token_id,
    secretHash: row.secret_hash,
    lastUsedAt: dateOrNull(row.last_used_at),
    user: ownerOfRow(row),
  }));
}

/**
 * The users with these ids as `CurrentUser`s are made of (those that exist, in no order), in one statement: each
 * instance forgets who its callers are after a while and reads them again, and a crowd that connected together
 * (a restart's) comes due together (`auth/current-users.ts`). Read by key per id, as the credentials are.
 */
export async function ownersByIds(em: EntityManager, ids: readonly number[]): Promise<CredentialOwner[]> {
  const rows = await queryPrepared<OwnerRow>(
    em,
    sql`select ${ownerColumns}
      from ${wantedIds(ids)}, lateral (select * from users u where u.id = wanted.id offset 0) u`,
  );
  return rows.map(ownerOfRow);
}

/**
 * Marks these API tokens used at `at`, and these people seen: a restart's crowd brings ten thousand of each at
 * once. Bound as one array each, where `em.nativeUpdate` with `$in` built and escaped a literal per id (~3 µs of
 * CPU each, ~30 ms of one turn for ten thousand; docs/performance.md, entry 39).
 */
export async function markTokensUsed(em: EntityManager, ids: readonly string[], at: Date): Promise<void> {
  await queryPrepared(
    em,
    sql`update api_tokens set last_used_at = ${at} where id = any(${[...ids]}::text[])`,
  );
}

export async function markUsersSeen(em: EntityManager, ids: readonly number[], at: Date): Promise<void> {
  await queryPrepared(em, sql`update users set last_seen_at = ${at} where id = any(${[...ids]}::int[])`);
}
