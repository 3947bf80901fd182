/**
 * The first admin of a new install: `parley create-admin` runs this against the database directly, since no one
 * can be made an admin over the API before an admin exists.
 */
import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { emailSchema, registerInput } from '../../shared/auth.ts';
import { hashPassword } from '../auth/password.ts';
import { User } from '../db/entities/index.ts';
import { lockRoleChanges } from '../db/statements/moderation.ts';
import { fieldError } from '../errors.ts';
import { audit } from './audit.ts';
import { joinPublicRoom } from './chat/rooms.ts';

export interface AdminRequest {
  username: string;
  /** Needed to create the user; when promoting, it must match the account's (a guard against a mistyped name). */
  email?: string;
  /** Needed only to create the user. */
  password?: string;
  displayName?: string;
}

export interface AdminResult {
  id: number;
  username: string;
  email: string;
  role: 'admin';
  /** `unchanged`: the user was an admin already. */
  outcome: 'created' | 'promoted' | 'unchanged';
}

/** The user with that username in any case, so the command can ask for a password only when it must create one. */
export function findUserByUsername(em: EntityManager, username: string): Promise<User | null> {
  return em.findOne(User, { [raw('lower(username)')]: username.trim().toLowerCase() });
}

/** Makes `username` an admin, creating the account (validated as a registration is) when it does not exist. */
export async function createOrPromoteAdmin(em: EntityManager, request: AdminRequest): Promise<AdminResult> {
  try {
    return await em.transactional(async (tx) => {
      await lockRoleChanges(tx);
      const existing = await findUserByUsername(tx, request.username);
      return existing ? promote(tx, existing, request) : create(tx, request);
    });
  } catch (error) {
    // Someone registered the same name or email between the check and the insert.
    if (error instanceof UniqueConstraintViolationException) {
      throw fieldError('CONFLICT', 'username', 'That username or email was just taken; try again.');
    }
    throw error;
  }
}

async function promote(tx: EntityManager, user: User, request: AdminRequest): Promise<AdminResult> {
  if (request.email !== undefined) {
    const email = emailSchema.safeParse(request.email);
    if (!email.success || email.data !== user.email) {
      throw fieldError(
        'CONFLICT',
        'email',
        `${user.username} is registered with a different email: check the username, or give that account's email.`,
      );
    }
  }
  const from = user.role;
  if (from !== 'admin') {
    user.role = 'admin';
    await tx.flush();
    await audit(tx, {
      actorId: null,
      action: 'user.create-admin',
      targetUserId: user.id,
      details: { created: false, from },
    });
  }
  return view(user, from === 'admin' ? 'unchanged' : 'promoted');
}

async function create(tx: EntityManager, request: AdminRequest): Promise<AdminResult> {
  if (request.email === undefined) {
    throw fieldError(
      'BAD_REQUEST',
      'email',
      `There is no user called ${request.username}: give an email to create one.`,
    );
  }
  if (request.password === undefined) {
    throw fieldError('BAD_REQUEST', 'password', 'Give a password for the new admin.');
  }
  const parsed = registerInput.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fieldError('BAD_REQUEST', String(issue?.path[0] ?? 'username'), issue?.message ?? 'Not valid.');
  }
  const input = parsed.data;
  if (await tx.findOne(User, { email: input.email })) {
    throw fieldError('CONFLICT', 'email', 'That email is already registered.');
  }
  const user = tx.create(User, {
    username: input.username,
    displayName: input.displayName ?? input.username,
    email: input.email,
    passwordHash: await hashPassword(input.password),
    role: 'admin',
    createdAt: new Date(),
  });
  await tx.flush();
  await joinPublicRoom(tx, user.id);
  await audit(tx, {
    actorId: null,
    action: 'user.create-admin',
    targetUserId: user.id,
    details: { created: true },
  });
  return view(user, 'created');
}

function view(user: User, outcome: AdminResult['outcome']): AdminResult {
  return { id: user.id, username: user.username, email: user.email, role: 'admin', outcome };
}
