import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { related } from './columns.ts';
import { User } from './user.ts';

/** A personal API token for scripts: shown once, stored as a hash of its secret like a session. */
export const ApiToken = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: p.text().primary(),
    // The user itself, not only its id: a credential look-up reads both in one query.
    user: related(User, 'api_tokens', 'user_id', 'cascade').index('api_tokens_user_id_index'),
    name: p.string().length(60),
    secretHash: p.type('blob'),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
  },
});
export type ApiToken = InferEntity<typeof ApiToken>;
