import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt } from './columns.ts';

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
    passwordHash: p.text().hidden(),
    role: p.enum([...roles]).default('user'),
    createdAt: createdAt(),
    bio: p.string().length(500).default(''),
    showEmail: p.boolean().default(false),
    /** Bumped on each upload, so the avatar's URL changes and caches never show an old picture. */
    avatarVersion: p.integer().nullable(),
    bannedUntil: p.datetime().nullable(),
    banReason: p.string().length(500).nullable(),
    mutedUntil: p.datetime().nullable(),
    muteReason: p.string().length(500).nullable(),
    lastSeenAt: p.datetime().nullable(),
    /** Not a column: how many messages they sent, counted only when a query populates it (the admin's list). */
    messageCount: p
      .integer()
      .formula((alias) => `(select count(*)::int from messages m where m.sender_id = ${alias}.id)`)
      .lazy(),
  },
  uniques: [
    // Usernames are unique whatever their case; emails are stored lower-case (see the check).
    {
      name: 'users_username_lower_key',
      expression: 'create unique index users_username_lower_key on users (lower(username))',
    },
    { name: 'users_email_key', properties: ['email'] },
  ],
  indexes: [
    // Trigram indexes serve substring search; the pattern-ops ones serve exact and prefix search in byte order.
    // Without fastupdate a sign-up goes straight into the trigram index: in GIN's pending list it would be read
    // by every search until autovacuum came by (1,500 pending sign-ups made an exact-username search 0.7 -> 3 ms).
    {
      name: 'users_username_trgm',
      expression:
        'create index users_username_trgm on users using gin (lower(username) gin_trgm_ops) with (fastupdate = off)',
    },
    {
      name: 'users_display_name_trgm',
      expression:
        'create index users_display_name_trgm on users using gin (lower(display_name) gin_trgm_ops) ' +
        'with (fastupdate = off)',
    },
    {
      name: 'users_username_prefix',
      expression: 'create index users_username_prefix on users (lower(username) text_pattern_ops)',
    },
    {
      // The username beside the display name lets a prefix search pass over display-name matches whose username
      // sorts beyond its page inside the index, without reading their rows.
      name: 'users_display_name_username_prefix',
      expression:
        'create index users_display_name_username_prefix on users ' +
        '(lower(display_name) text_pattern_ops, lower(username) text_pattern_ops)',
    },
  ],
  checks: [
    { name: 'users_username_format', expression: "username ~ '^[A-Za-z0-9_.-]{3,30}$'" },
    { name: 'users_email_lower', expression: 'email = lower(email)' },
  ],
});
export type User = InferEntity<typeof User>;
