import {
  passwordResetCheckInput,
  passwordResetCompleteInput,
  passwordResetRequestInput,
} from '../../shared/password-reset.ts';
import * as passwordReset from '../services/password-reset.ts';
import { publicProcedure, router } from '../trpc.ts';
import { signIn } from './sign-in.ts';

/** Everything here works signed out: the person has forgotten their password. */
export const passwordResetRouter = router({
  /** The same answer for a name that exists or not; the mail goes out after it. */
  request: publicProcedure.input(passwordResetRequestInput).mutation(async ({ ctx, input }) => {
    await passwordReset.requestPasswordReset(ctx.deps, input.login, ctx.ip);
    return { ok: true as const, validMinutes: passwordReset.validMinutes(ctx.deps) };
  }),

  check: publicProcedure
    .input(passwordResetCheckInput)
    .query(({ ctx, input }) => passwordReset.checkPasswordReset(ctx.deps, ctx.em, input.token)),

  /** Signs the browser in (a new session cookie) and answers as `auth.me`. */
  complete: publicProcedure
    .input(passwordResetCompleteInput)
    .mutation(async ({ ctx, input }) =>
      signIn(ctx, await passwordReset.completePasswordReset(ctx.deps, ctx.em, input, ctx.ip)),
    ),
});
