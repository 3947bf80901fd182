import { sessionCookie } from '../auth/cookies.ts';
import type { Context } from '../context.ts';
import type { NewSession } from '../services/auth.ts';
import type { AuthUser } from '../views/people.ts';

/** What `auth.me` answers: the flat profile of the caller, email included. */
export function toMe({ id, username, displayName, email, role, avatarUrl }: AuthUser) {
  return { id, username, displayName, email, role, avatarUrl };
}

/** Gives the browser its session cookie and answers as `auth.me` would (register, login, a password reset). */
export function signIn(ctx: Context, { user, token, expiresAt }: NewSession) {
  ctx.setCookie(sessionCookie(token, expiresAt, { secure: ctx.deps.config.cookieSecure }));
  return toMe(user);
}
