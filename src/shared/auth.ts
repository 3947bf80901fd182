import { z } from 'zod';
import { lineText } from './text.ts';

/** Input rules both sides check: the client shows these messages next to the field before the server repeats them. */
export const usernameSchema = lineText()
  .trim()
  .min(3, 'Username must be at least 3 characters.')
  .max(30, 'Username must be at most 30 characters.')
  .regex(/^[A-Za-z0-9_.-]+$/, 'Username may use only letters, digits, _ . and -.');

export const emailSchema = lineText()
  .trim()
  .max(254, 'Email must be at most 254 characters.')
  .pipe(z.email('Enter a valid email address.'))
  .transform((email) => email.toLowerCase());

export const passwordSchema = lineText()
  .min(8, 'Password must be at least 8 characters.')
  .max(256, 'Password must be at most 256 characters.')
  // Spaces are allowed in a passphrase; a password of nothing else is a typo or a guess away.
  .refine((password) => /\S/.test(password), 'Password must be more than spaces.');

export const registerInput = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  /** Optional: blank means "use my username". */
  displayName: lineText()
    .trim()
    .max(60, 'Display name must be at most 60 characters.')
    .optional()
    .transform((name) => name || undefined),
});

export const loginInput = z.object({
  login: lineText()
    .trim()
    .min(1, 'Enter your username or email.')
    .max(254, 'That is too long to be a login.'),
  password: lineText().min(1, 'Enter your password.').max(256, 'Password must be at most 256 characters.'),
});

export const changePasswordInput = z.object({
  currentPassword: lineText().min(1, 'Enter your current password.').max(256),
  newPassword: passwordSchema,
  /** API tokens are revoked with the old password unless the owner asks to keep them. */
  keepApiTokens: z.boolean().optional(),
});

export const tokenNameSchema = lineText()
  .trim()
  .min(1, 'Give the token a name.')
  .max(60, 'Token name must be at most 60 characters.');

export const createTokenInput = loginInput.extend({ name: tokenNameSchema });

export const revokeTokenInput = z.object({ id: lineText().min(1).max(64) });
