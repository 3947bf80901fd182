import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { changePasswordInput, loginInput, registerInput } from '../../shared/auth.ts';
import { deleteApiTokens } from '../auth/api-tokens.ts';
import { hashPassword, verifyAgainstNothing, verifyPassword } from '../auth/password.ts';
import { endPasswordResets } from '../auth/password-resets.ts';
import { type Auth, isBanned } from '../auth/resolve.ts';
import { createSession, deleteOtherSessions, deleteSession } from '../auth/sessions.ts';
import { User } from '../db/entities/index.ts';
import type { Deps } from '../deps.ts';
import { fieldError, fieldErrors, tooManyRequests } from '../errors.ts';
import { type AuthUser, authUserOf } from '../views/people.ts';
import { joinPublicRoom } from './chat/rooms.ts';
import { endSessions } from './session-events.ts';

export interface NewSession {
  user: AuthUser;
  token: string;
  expiresAt: Date;
}

export async function register(
  deps: Deps,
  em: EntityManager,
  input: z.output<typeof registerInput>,
  ip: string,
): Promise<NewSession> {
  await limit(deps, `register:${ip}`, deps.config.limits.registerPerHour, 3_600_000);
  await assertAvailable(em, input.username, input.email);
  const passwordHash = await hashPassword(input.password);
  const user = em.create(User, {
    username: input.username,
    displayName: input.displayName ?? input.username,
    email: input.email,
    passwordHash,
    role: 'user',
    createdAt: new Date(),
    lastSeenAt: new Date(),
  });
  try {
    await em.flush();
  } catch (error) {
    // Two registrations raced past the check above: the unique indexes decide, and say which field.
    if (error instanceof UniqueConstraintViolationException) {
      throw (error as { constraint?: string }).constraint === 'users_email_key'
        ? fieldError('CONFLICT', 'email', 'That email is already registered.')
        : fieldError('CONFLICT', 'username', 'That username is taken.');
    }
    throw error;
  }
  await joinPublicRoom(em, user.id);
  return startSession(deps, em, user);
}

async function assertAvailable(em: EntityManager, username: string, email: string): Promise<void> {
  const taken: Record<string, string> = {};
  if (await findByUsername(em, username)) taken.username = 'That username is taken.';
  if (await em.findOne(User, { email })) taken.email = 'That email is already registered.';
  if (Object.keys(taken).length) throw fieldErrors('CONFLICT', taken);
}

function findByUsername(em: EntityManager, username: string) {
  return em.findOne(User, { [raw('lower(username)')]: username.toLowerCase() });
}

/** The account a login names: an email (stored lower-case) when it has an @, else a username in any case. */
export function findByLogin(em: EntityManager, login: string): Promise<User | null> {
  return login.includes('@') ? em.findOne(User, { email: login.toLowerCase() }) : findByUsername(em, login);
}

export async function login(
  deps: Deps,
  em: EntityManager,
  input: z.output<typeof loginInput>,
  ip: string,
): Promise<NewSession> {
  const user = await checkPassword(deps, em, input, ip);
  return startSession(deps, em, user);
}

/** The user whose login (username or email, any case) and password match; one vague error otherwise. */
export async function checkPassword(
  deps: Deps,
  em: EntityManager,
  { login, password }: z.output<typeof loginInput>,
  ip: string,
): Promise<User> {
  const perMinute = deps.config.limits.loginPerMinute;
  await limit(deps, `login-ip:${ip}`, perMinute * 5, 60_000);
  const user = await findByLogin(em, login);
  // Per account, whichever name it is reached by (username or email count as one).
  await limit(deps, user ? `login-user:${user.id}` : `login-name:${login.toLowerCase()}`, perMinute, 60_000);
  const valid = user
    ? await verifyPassword(user.passwordHash, password)
    : await verifyAgainstNothing(password);
  if (!user || !valid) throw fieldError('UNAUTHORIZED', 'password', 'Wrong username, email or password.');
  if (isBanned(user)) throw new TRPCError({ code: 'FORBIDDEN', message: banMessage(user) });
  user.lastSeenAt = new Date();
  await em.flush();
  return user;
}

export async function startSession(deps: Deps, em: EntityManager, user: User): Promise<NewSession> {
  const { token, session } = await createSession(em, user.id, { ttlMs: deps.config.sessionTtlMs });
  return { user: authUserOf(user), token, expiresAt: session.expiresAt };
}

/** What a banned person reads when they try to sign in. */
export function banMessage(user: { bannedUntil: Date } & Pick<User, 'banReason'>): string {
  const until = user.bannedUntil;
  const when = until.getUTCFullYear() >= 9999 ? 'permanently' : `until ${until.toISOString()}`;
  return `This account is banned ${when}.${user.banReason ? ` Reason: ${user.banReason}` : ''}`;
}

export async function logout(deps: Deps, em: EntityManager, auth: Auth): Promise<void> {
  if (!auth.sessionId) return;
  await deleteSession(em, auth.sessionId);
  await endSessions(deps, auth.user.id, { reason: 'logout', sessionIds: [auth.sessionId] });
}

/**
 * A new password ends every other session and, unless the owner keeps them, every API token: a token made with a
 * stolen password would otherwise outlive the change.
 */
export async function changePassword(
  deps: Deps,
  em: EntityManager,
  auth: Auth,
  input: z.output<typeof changePasswordInput>,
): Promise<{ endedSessions: number; revokedTokens: number }> {
  await limit(deps, `login-user:${auth.user.id}`, deps.config.limits.loginPerMinute, 60_000);
  const user = await em.findOneOrFail(User, { id: auth.user.id });
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw fieldError('BAD_REQUEST', 'currentPassword', 'Your current password is not right.');
  }
  const passwordHash = await hashPassword(input.newPassword);
  const keep = { sessionId: auth.sessionId, apiTokens: input.keepApiTokens ?? false };
  const ended = await em.transactional((tx) => replacePassword(tx, user.id, passwordHash, keep));
  await announcePasswordChange(deps, user.id, ended);
  return { endedSessions: ended.sessionIds.length, revokedTokens: ended.tokenIds.length };
}

export interface EndedCredentials {
  sessionIds: string[];
  tokenIds: string[];
}

/**
 * Stores a new password hash and ends what the old password let in, in the caller's transaction: every session but
 * `keep.sessionId`, every API token unless kept, and every password-reset link. A change and a reset share it.
 */
export async function replacePassword(
  tx: EntityManager,
  userId: number,
  passwordHash: string,
  keep: { sessionId: string | null; apiTokens: boolean },
): Promise<EndedCredentials> {
  await tx.nativeUpdate(User, { id: userId }, { passwordHash });
  await endPasswordResets(tx, userId, 'password-changed');
  const sessionIds = await deleteOtherSessions(tx, userId, keep.sessionId);
  const tokenIds = keep.apiTokens ? [] : await deleteApiTokens(tx, userId);
  return { sessionIds, tokenIds };
}

/** After the commit: every instance closes the sockets that ran on the ended sessions and tokens. */
export async function announcePasswordChange(
  deps: Deps,
  userId: number,
  { sessionIds, tokenIds }: EndedCredentials,
): Promise<void> {
  if (sessionIds.length || tokenIds.length) {
    await endSessions(deps, userId, { reason: 'password-changed', sessionIds, tokenIds });
  }
}

export async function limit(deps: Deps, key: string, max: number, windowMs: number): Promise<void> {
  const decision = await deps.limiter.hit(key, max, windowMs);
  if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
}
