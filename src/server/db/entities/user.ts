import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const roles = ['user', 'admin'] as const;
export type Role = (typeof roles)[number];

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary().autoincrement(),
    username: p.string().length(30),
    displayName: p.string().length(60),
    email: p.string().length(254),
    passwordHash: p.string().hidden(),
    role: p.enum([...roles]).default('user'),
    createdAt: p.datetime().onCreate(() => new Date()),
    bio: p.string().length(500).default(''),
    showEmail: p.boolean().default(false),
    /** Bumped on each upload, so the avatar's URL changes and caches never show an old picture. */
    avatarVersion: p.integer().nullable(),
    bannedUntil: p.datetime().nullable(),
    banReason: p.string().length(500).nullable(),
    mutedUntil: p.datetime().nullable(),
    muteReason: p.string().length(500).nullable(),
    lastSeenAt: p.datetime().nullable(),
  },
});
export type User = InferEntity<typeof User>;
