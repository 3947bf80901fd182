import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** A browser session (Lucia's design): the id is public, only a SHA-256 hash of the secret is kept. */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p.string().primary(),
    userId: p.integer().index(),
    secretHash: p.type('blob'),
    createdAt: p.datetime(),
    lastVerifiedAt: p.datetime(),
    expiresAt: p.datetime(),
  },
});
export type Session = InferEntity<typeof Session>;
