import { z } from 'zod';

/** Input rules both sides check: the client shows these messages next to the field before the server repeats them. */
export const usernameSchema = z
  .string()
  .trim()
  .min(3, 'Username must be at least 3 characters.')
  .max(30, 'Username must be at most 30 characters.')
  .regex(/^[A-Za-z0-9_.-]+$/, 'Username may use only letters, digits, _ . and -.');

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'Email must be at most 254 characters.')
  .pipe(z.email('Enter a valid email address.'))
  .transform((email) => email.toLowerCase());

export const passwordSchema = z
  .string()
  .min(8, 'Password must be at least 8 characters.')
  .max(256, 'Password must be at most 256 characters.');

export const registerInput = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  /** Optional: blank means "use my username". */
  displayName: z
    .string()
    .trim()
    .max(60, 'Display name must be at most 60 characters.')
    .optional()
    .transform((name) => name || undefined),
});

export const loginInput = z.object({
  login: z
    .string()
    .trim()
    .min(1, 'Enter your username or email.')
    .max(254, 'That is too long to be a login.'),
  password: z.string().min(1, 'Enter your password.').max(256, 'Password must be at most 256 characters.'),
});

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, 'Enter your current password.').max(256),
  newPassword: passwordSchema,
  /** API tokens are revoked with the old password unless the owner asks to keep them. */
  keepApiTokens: z.boolean().optional(),
});

export const tokenNameSchema = z
  .string()
  .trim()
  .min(1, 'Give the token a name.')
  .max(60, 'Token name must be at most 60 characters.');

export const createTokenInput = loginInput.extend({ name: tokenNameSchema });

export const revokeTokenInput = z.object({ id: z.string().min(1).max(64) });
