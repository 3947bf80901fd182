/**
 * Password reset by mail. A request is answered before the account is even looked up, so neither the answer nor
 * its timing tells whether the account exists; the link is made and mailed afterwards.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { passwordResetCompleteInput } from '../../shared/password-reset.ts';
import { hashPassword } from '../auth/password.ts';
import { findPasswordReset, issuePasswordReset, type ResetProblem } from '../auth/password-resets.ts';
import { isBanned } from '../auth/resolve.ts';
import { User } from '../db/entities/index.ts';
import type { Deps } from '../deps.ts';
import { passwordResetMail } from '../mail/password-reset-mail.ts';
import { audit } from './audit.ts';
import {
  announcePasswordChange,
  banMessage,
  findByLogin,
  limit,
  type NewSession,
  replacePassword,
  startSession,
} from './auth.ts';

const hour = 60 * 60 * 1000;

/** How long a new link works, in the minutes the mail and the page speak of. */
export const validMinutes = (deps: Deps) => Math.round(deps.config.passwordResetTtlMs / 60_000);

/**
 * Throttles by address and by the name asked for (both refusals say so, for any name), then mails the link in the
 * background. Mails per account are throttled there too, quietly: a refusal here would tell that it exists.
 */
export async function requestPasswordReset(deps: Deps, login: string, ip: string): Promise<void> {
  const perHour = deps.config.limits.passwordResetsPerHour;
  // By name first: a request refused for its name does not use up the address's budget too.
  await limit(deps, `reset-name:${login.toLowerCase()}`, perHour, hour);
  await limit(deps, `reset-ip:${ip}`, perHour * 4, hour);
  deps.background.run('mail a password-reset link', () => mailResetLinkFor(deps, login));
}

async function mailResetLinkFor(deps: Deps, login: string): Promise<void> {
  const em = deps.orm.em.fork();
  const user = await findByLogin(em, login);
  if (!user || isBanned(user)) return;
  const perHour = deps.config.limits.passwordResetsPerHour;
  const decision = await deps.limiter.hit(`reset-user:${user.id}`, perHour, hour);
  if (!decision.allowed) {
    deps.log.info('Password-reset link not mailed: this account had enough this hour', { userId: user.id });
    return;
  }
  const token = await em.transactional((tx) =>
    issuePasswordReset(tx, user.id, deps.config.passwordResetTtlMs),
  );
  await deps.mailer.send(resetMail(deps, user, token, false));
}

function resetMail(deps: Deps, user: User, token: string, byAdmin: boolean) {
  return passwordResetMail({
    to: user.email,
    username: user.username,
    displayName: user.displayName,
    // In the fragment, which browsers never send: the token stays out of access logs and Referer headers.
    link: deps.publicUrl(`/reset-password#token=${token}`),
    validMinutes: validMinutes(deps),
    byAdmin,
  });
}

/** An admin mails someone a reset link (audited); unlike a self-service request, a failed mail is reported. */
export async function sendPasswordResetAsAdmin(
  deps: Deps,
  em: EntityManager,
  actorId: number,
  userId: number,
): Promise<{ email: string }> {
  const { user, token } = await em.transactional(async (tx) => {
    const user = await tx.findOne(User, { id: userId });
    if (!user) throw new TRPCError({ code: 'NOT_FOUND', message: 'That user does not exist.' });
    const token = await issuePasswordReset(tx, user.id, deps.config.passwordResetTtlMs);
    await audit(tx, { actorId, action: 'user.password-reset', targetUserId: user.id });
    return { user, token };
  });
  try {
    await deps.mailer.send(resetMail(deps, user, token, true));
  } catch (cause) {
    deps.log.error('Could not mail a password-reset link', { userId, cause });
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: `The mail server did not take the mail, so ${user.displayName} got no link. Try again later.`,
    });
  }
  return { email: user.email };
}

/** What a reset page says about a link that does not work. */
function resetProblem(problem: ResetProblem, validMinutes: number): TRPCError {
  const messages: Record<ResetProblem, string> = {
    invalid:
      'This reset link is not valid. Check that you opened the whole link from the mail, or ask for a new one.',
    expired: `This reset link has expired (links work for ${validMinutes} minutes). Ask for a new one.`,
    used: 'This reset link was already used. If that was not you, ask for a new one.',
    replaced: 'A newer reset link was sent after this one. Use the newest mail, or ask for a new link.',
    'password-changed':
      'The password was changed after this link was sent, so it no longer works. Ask for a new one if you need it.',
  };
  return new TRPCError({ code: 'BAD_REQUEST', message: messages[problem] });
}

async function openReset(deps: Deps, em: EntityManager, token: string, lock: boolean) {
  const found = await findPasswordReset(em, token, { lock });
  if (found.problem) throw resetProblem(found.problem, validMinutes(deps));
  return found.reset;
}

/** Whose password a link resets, and until when, so the page can say so before a new one is typed. */
export async function checkPasswordReset(deps: Deps, em: EntityManager, token: string) {
  const reset = await openReset(deps, em, token, false);
  const user = await em.findOneOrFail(User, { id: reset.userId });
  return { username: user.username, displayName: user.displayName, expiresAt: reset.expiresAt.toISOString() };
}

/**
 * Sets the new password, uses the link up, ends every session, API token and other link of the account, and signs
 * this browser in with a new session.
 */
export async function completePasswordReset(
  deps: Deps,
  em: EntityManager,
  input: z.output<typeof passwordResetCompleteInput>,
  ip: string,
): Promise<NewSession> {
  await limit(deps, `login-ip:${ip}`, deps.config.limits.loginPerMinute * 5, 60_000);
  await openReset(deps, em, input.token, false); // a wrong link costs no password hashing
  const passwordHash = await hashPassword(input.newPassword);
  const { user, ended } = await em.transactional(async (tx) => {
    const reset = await openReset(deps, tx, input.token, true);
    const user = await tx.findOneOrFail(User, { id: reset.userId });
    if (isBanned(user)) throw new TRPCError({ code: 'FORBIDDEN', message: banMessage(user) });
    reset.endedAt = new Date();
    reset.endedBy = 'used';
    await tx.flush();
    const ended = await replacePassword(tx, user.id, passwordHash, { sessionId: null, apiTokens: false });
    return { user, ended };
  });
  await announcePasswordChange(deps, user.id, ended);
  return startSession(deps, em, user);
}
