import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { adminUsersListInput } from '../../shared/admin.ts';
import { deleteApiTokens } from '../auth/api-tokens.ts';
import { deleteOtherSessions } from '../auth/sessions.ts';
import { User } from '../db/entities/index.ts';
import { escapeLike, isoTime, query, queryOne, sql } from '../db/sql.ts';
import type { Deps } from '../deps.ts';
import { type AuditAction, audit } from './audit.ts';
import { endSessions } from './auth.ts';
import { publicUserColumns, toPublicUser, type UserRow } from './users.ts';

/** A ban without an end date lasts until this far-off day (PostgreSQL's `infinity` has no JavaScript Date). */
export const permanently = new Date('9999-12-31T00:00:00Z');

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'That user does not exist.' });

async function target(em: EntityManager, userId: number): Promise<User> {
  const user = await em.findOne(User, { id: userId });
  if (!user) throw notFound();
  return user;
}

function notYourself(actorId: number, userId: number, what: string): void {
  if (actorId === userId)
    throw new TRPCError({ code: 'BAD_REQUEST', message: `You cannot ${what} yourself.` });
}

/** Applies a change to a user and records it, in one transaction. */
async function moderate(
  em: EntityManager,
  actorId: number,
  userId: number,
  action: AuditAction,
  reason: string | null,
  change: (user: User) => Record<string, unknown>,
): Promise<User> {
  return em.transactional(async (tx) => {
    const user = await target(tx, userId);
    const details = change(user);
    await tx.flush();
    await audit(tx, { actorId, action, targetUserId: userId, reason, details });
    return user;
  });
}

/**
 * A ban ends every session and token of the user at once; every instance closes their open sockets (the bus
 * carries the news), and new logins are refused with the reason and the end date.
 */
export async function ban(
  deps: Deps,
  em: EntityManager,
  actorId: number,
  input: { userId: number; reason: string; until?: string },
) {
  notYourself(actorId, input.userId, 'ban');
  const until = input.until ? new Date(input.until) : permanently;
  await moderate(em, actorId, input.userId, 'user.ban', input.reason, (user) => {
    user.bannedUntil = until;
    user.banReason = input.reason;
    return { until: until.toISOString() };
  });
  await deleteOtherSessions(em, input.userId, null);
  await deleteApiTokens(em, input.userId);
  await deps.currentUsers.changed(input.userId);
  await endSessions(deps, input.userId, { reason: 'banned', all: true });
  return { ok: true as const, until: until.toISOString() };
}

export async function unban(deps: Deps, em: EntityManager, actorId: number, userId: number) {
  await moderate(em, actorId, userId, 'user.unban', null, (user) => {
    user.bannedUntil = null;
    user.banReason = null;
    return {};
  });
  await deps.currentUsers.changed(userId);
  return { ok: true as const };
}

export async function mute(
  deps: Deps,
  em: EntityManager,
  actorId: number,
  input: { userId: number; reason: string; until: string },
) {
  notYourself(actorId, input.userId, 'mute');
  const until = new Date(input.until);
  await moderate(em, actorId, input.userId, 'user.mute', input.reason, (user) => {
    user.mutedUntil = until;
    user.muteReason = input.reason;
    return { until: until.toISOString() };
  });
  await deps.currentUsers.changed(input.userId);
  return { ok: true as const, until: until.toISOString() };
}

export async function unmute(deps: Deps, em: EntityManager, actorId: number, userId: number) {
  await moderate(em, actorId, userId, 'user.unmute', null, (user) => {
    user.mutedUntil = null;
    user.muteReason = null;
    return {};
  });
  await deps.currentUsers.changed(userId);
  return { ok: true as const };
}

/**
 * Changes a role; the last admin cannot stop being one, so the app is never left without moderators. Open sockets
 * stay open: every call reads the role as it is now, on every instance.
 */
export async function setRole(
  deps: Deps,
  em: EntityManager,
  actorId: number,
  userId: number,
  role: 'user' | 'admin',
) {
  await em.transactional(async (tx) => {
    // Serialises role changes, so two admins demoting each other at once cannot both succeed.
    await tx.execute('select pg_advisory_xact_lock(?)', [0x70726f6c]);
    const user = await target(tx, userId);
    if (user.role === role) return;
    if (role === 'user') {
      const admins = await tx.count(User, { role: 'admin' });
      if (admins <= 1) {
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'This is the last admin: make someone else an admin first.',
        });
      }
    }
    const from = user.role;
    user.role = role;
    await tx.flush();
    await audit(tx, { actorId, action: 'user.role', targetUserId: userId, details: { from, to: role } });
  });
  await deps.currentUsers.changed(userId, { tellTabs: true });
  return { ok: true as const };
}

interface AdminUserRow extends UserRow {
  email: string;
  role: 'user' | 'admin';
  created_at: string;
  last_seen_at: string | null;
  banned_until: string | null;
  ban_reason: string | null;
  muted_until: string | null;
  mute_reason: string | null;
  message_count: string;
}

/** Users for the admin table, newest first, with status and message counts. */
export async function listUsers(em: EntityManager, input: z.output<typeof adminUsersListInput>) {
  const { query: text, status = 'all', cursor, limit = 50 } = input ?? {};
  const like = text ? `%${escapeLike(text.toLowerCase())}%` : null;
  const statusFilter = {
    all: sql`true`,
    active: sql`(u.banned_until is null or u.banned_until <= now()) and (u.muted_until is null or u.muted_until <= now())`,
    banned: sql`u.banned_until > now()`,
    muted: sql`u.muted_until > now()`,
  }[status];
  const rows = await query<AdminUserRow>(
    em,
    sql`select ${publicUserColumns}, u.email, u.role, u.created_at, u.last_seen_at, u.banned_until, u.ban_reason,
        u.muted_until, u.mute_reason, (select count(*) from messages m where m.sender_id = u.id) as message_count
      from users u
      where ${statusFilter}
        ${like ? sql`and (lower(u.username) like ${like} or lower(u.display_name) like ${like} or u.email like ${like})` : sql``}
        ${cursor ? sql`and u.id < ${Number(cursor)}` : sql``}
      order by u.id desc limit ${limit + 1}`,
  );
  const now = Date.now();
  const active = (until: string | null) => until !== null && Date.parse(until) > now;
  const items = rows.slice(0, limit).map((row) => ({
    ...toPublicUser(row),
    email: row.email,
    role: row.role,
    status: active(row.banned_until)
      ? ('banned' as const)
      : active(row.muted_until)
        ? ('muted' as const)
        : ('active' as const),
    bannedUntil: active(row.banned_until) ? isoTime(row.banned_until) : null,
    banReason: active(row.banned_until) ? row.ban_reason : null,
    mutedUntil: active(row.muted_until) ? isoTime(row.muted_until) : null,
    muteReason: active(row.muted_until) ? row.mute_reason : null,
    createdAt: isoTime(row.created_at)!,
    lastSeenAt: isoTime(row.last_seen_at),
    messageCount: Number(row.message_count),
  }));
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)?.id) : null };
}

export async function messagesToday(em: EntityManager): Promise<number> {
  const row = await queryOne<{ count: string }>(
    em,
    sql`select count(*) from messages where created_at >= date_trunc('day', now())`,
  );
  return Number(row?.count ?? 0);
}
