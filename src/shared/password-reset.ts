import { z } from 'zod';
import { loginInput, passwordSchema } from './auth.ts';
import { lineText } from './text.ts';

/** By username or email, as at login: the answer is the same whether or not such an account exists. */
export const passwordResetRequestInput = loginInput.pick({ login: true });

/** The token from the mail's link (`/reset-password#token=…`). */
export const resetTokenSchema = lineText()
  .trim()
  .min(1, 'This page needs the link from your mail.')
  .max(200, 'That is not a reset link from Parley.');

export const passwordResetCheckInput = z.object({ token: resetTokenSchema });

export const passwordResetCompleteInput = z.object({ token: resetTokenSchema, newPassword: passwordSchema });
