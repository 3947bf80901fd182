import { z } from 'zod';
import {
  changePasswordInput,
  createTokenInput,
  loginInput,
  registerInput,
  revokeTokenInput,
} from '../../shared/auth.ts';
import { blankSessionCookie } from '../auth/cookies.ts';
import { isBanned } from '../auth/resolve.ts';
import { socketTarget } from '../realtime/live-target.ts';
import { issueApiToken, listApiTokens, revokeApiToken } from '../services/api-tokens.ts';
import * as accounts from '../services/auth.ts';
import { sessionNewsStream } from '../services/session-news.ts';
import { protectedProcedure, publicProcedure, router } from '../trpc.ts';
import { passwordResetRouter } from './password-reset.ts';
import { signIn, toMe } from './sign-in.ts';

const tokensRouter = router({
  list: protectedProcedure.query(async ({ ctx }) =>
    (await listApiTokens(ctx.deps, ctx.em, ctx.user.id)).map((t) => ({
      ...t,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    })),
  ),
  revoke: protectedProcedure.input(revokeTokenInput).mutation(async ({ ctx, input }) => {
    await revokeApiToken(ctx.deps, ctx.em, ctx.user.id, input.id);
    return { ok: true as const };
  }),
});

export const authRouter = router({
  register: publicProcedure
    .input(registerInput)
    .mutation(async ({ ctx, input }) =>
      signIn(ctx, await accounts.register(ctx.deps, ctx.em, input, ctx.ip)),
    ),

  login: publicProcedure
    .input(loginInput)
    .mutation(async ({ ctx, input }) => signIn(ctx, await accounts.login(ctx.deps, ctx.em, input, ctx.ip))),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.auth) await accounts.logout(ctx.deps, ctx.em, ctx.auth);
    ctx.setCookie(blankSessionCookie({ secure: ctx.deps.config.cookieSecure }));
    return { ok: true as const };
  }),

  /** The account as it is now (a socket's context dates from when it opened), read afresh. */
  me: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.auth || ctx.auth.revoked) return null;
    const user = await ctx.deps.currentUsers.read(ctx.auth.user.id);
    return user && !isBanned(user) ? toMe(user) : null;
  }),

  changePassword: protectedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    return accounts.changePassword(ctx.deps, ctx.em, ctx.auth, input);
  }),

  /** A personal API token for scripts, given for a login and password; the token is shown only here. */
  createToken: publicProcedure.input(createTokenInput).mutation(async ({ ctx, input }) => {
    const user = await accounts.checkPassword(ctx.deps, ctx.em, input, ctx.ip);
    const token = await issueApiToken(ctx.deps, ctx.em, user.id, input.name);
    return { ...token, createdAt: token.createdAt.toISOString() };
  }),

  tokens: tokensRouter,

  /** Forgotten password: a single-use link by mail (`request`), what it is for (`check`), a new password (`complete`). */
  passwordReset: passwordResetRouter,

  /**
   * Tells an open tab when its session ends (logout elsewhere, password change, expiry), then the socket closes;
   * and when the account changed (a role given or taken, a new name, a mute begun or lifted), so the tab reads
   * `auth.me` and `chat.muteStatus` again.
   */
  onSession: protectedProcedure
    .input(z.void())
    .subscription(async ({ ctx, signal }) =>
      sessionNewsStream(ctx.deps, ctx.auth, signal, socketTarget(signal)),
    ),
});
