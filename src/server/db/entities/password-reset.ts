import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, reference } from './columns.ts';
import { User } from './user.ts';

/** Why a reset link stopped working before it expired: each gets its own sentence on the reset page. */
export const passwordResetEndings = ['used', 'replaced', 'password-changed'] as const;
export type PasswordResetEnding = (typeof passwordResetEndings)[number];

/**
 * A password-reset link, made like a session token (`<id>.<secret>`, only a SHA-256 hash of the secret stored).
 * A used or replaced link keeps its row (with why it ended), so the reset page can say so instead of "not valid".
 */
export const PasswordReset = defineEntity({
  name: 'PasswordReset',
  tableName: 'password_resets',
  properties: {
    id: p.text().primary(),
    userId: reference(User, 'password_resets', 'user_id', 'cascade').index('password_resets_user_id_index'),
    secretHash: p.type('blob'),
    createdAt: createdAt(),
    expiresAt: p.datetime(),
    endedAt: p.datetime().nullable(),
    endedBy: p.enum([...passwordResetEndings]).nullable(),
  },
});
export type PasswordReset = InferEntity<typeof PasswordReset>;
