import { type EntityManager, type FilterQuery, sql } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { adminUsersListInput, userStatuses } from '../../shared/admin.ts';
import { deleteApiTokens } from '../auth/api-tokens.ts';
import { deleteOtherSessions } from '../auth/sessions.ts';
import { Message, User } from '../db/entities/index.ts';
import { lockRoleChanges } from '../db/statements/moderation.ts';
import { escapeLike } from '../db/statements/sql.ts';
import type { Deps } from '../deps.ts';
import { adminUserOf } from '../views/moderation.ts';
import { type AuditAction, audit } from './audit.ts';
import { endSessions } from './session-events.ts';

/** A ban without an end date lasts until this far-off day (PostgreSQL's `infinity` has no JavaScript Date). */
export const permanently = new Date('9999-12-31T00:00:00Z');

type UserStatusFilter = (typeof userStatuses)[number];

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
  // The person's open tabs put the mute in place of the composer now, not at their first refused send.
  await deps.currentUsers.changed(input.userId, { tellTabs: true });
  return { ok: true as const, until: until.toISOString() };
}

export async function unmute(deps: Deps, em: EntityManager, actorId: number, userId: number) {
  await moderate(em, actorId, userId, 'user.unmute', null, (user) => {
    user.mutedUntil = null;
    user.muteReason = null;
    return {};
  });
  // Their open tabs give the composer back now, not at the next reload.
  await deps.currentUsers.changed(userId, { tellTabs: true });
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
    await lockRoleChanges(tx);
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

/**
 * Who each status filter keeps: a ban or mute counts only while its time has not run out (by the database's
 * clock). Built per query: MikroORM's raw fragments are single-use.
 */
function statusFilter(status: UserStatusFilter): FilterQuery<User> {
  switch (status) {
    case 'all':
      return {};
    case 'active':
      return {
        $and: [
          { $or: [{ bannedUntil: null }, { bannedUntil: { $lte: sql.now() } }] },
          { $or: [{ mutedUntil: null }, { mutedUntil: { $lte: sql.now() } }] },
        ],
      };
    case 'banned':
      return { bannedUntil: { $gt: sql.now() } };
    case 'muted':
      return { mutedUntil: { $gt: sql.now() } };
  }
}

/** Matches a part of the username or display name (whatever the case), or of the (lower-case) email. */
function matching(text: string): FilterQuery<User> {
  const like = `%${escapeLike(text.toLowerCase())}%`;
  return {
    $or: [
      { [sql.lower('username')]: { $like: like } },
      { [sql.lower('display_name')]: { $like: like } },
      { email: { $like: like } },
    ],
  };
}

/** Users for the admin table, newest first, with status and message counts. */
export async function listUsers(em: EntityManager, input: z.output<typeof adminUsersListInput>) {
  const { query: text, status = 'all', cursor, limit = 50 } = input ?? {};
  const where: FilterQuery<User>[] = [statusFilter(status)];
  if (text) where.push(matching(text));
  if (cursor) where.push({ id: { $lt: Number(cursor) } });
  const users = await em.find(
    User,
    { $and: where },
    { populate: ['messageCount'], orderBy: { id: 'desc' }, limit: limit + 1 },
  );
  const items = users.slice(0, limit).map((user) => adminUserOf(user));
  return { items, nextCursor: users.length > limit ? String(items.at(-1)?.id) : null };
}

export function messagesToday(em: EntityManager): Promise<number> {
  return em.count(Message, { createdAt: { $gte: sql`date_trunc('day', now())` } });
}
