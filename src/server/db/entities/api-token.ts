import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** A personal API token for scripts: shown once, stored as a hash of its secret like a session. */
export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: p.string().primary(),
    userId: p.integer().index(),
    name: p.string().length(60),
    secretHash: p.type('blob'),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
  },
});
export type ApiToken = InferEntity<typeof ApiToken>;
