import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { related } from './columns.ts';
import { User } from './user.ts';

/** A browser session (Lucia's design): the id is public, only a SHA-256 hash of the secret is kept. */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.text().primary(),
    // The user itself, not only its id: a credential look-up reads both in one query.
    user: related(User, 'sessions', 'user_id', 'cascade').index('sessions_user_id_index'),
    secretHash: p.type('blob'),
    createdAt: p.datetime(),
    lastVerifiedAt: p.datetime(),
    expiresAt: p.datetime().index('sessions_expires_at_index'),
  },
});
export type Session = InferEntity<typeof Session>;
