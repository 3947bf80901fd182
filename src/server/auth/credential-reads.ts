import type { EntityManager } from '@mikro-orm/postgresql';
import { Batched } from '../db/batched.ts';
import type { Orm } from '../db/orm.ts';
import {
  type ApiTokenWithOwner,
  apiTokensWithOwners,
  type SessionWithOwner,
  sessionsWithOwners,
} from '../db/statements/auth.ts';

/** A credential look-up: the stored credential with its owner, or undefined when there is none. */
export type CredentialRead<Row> = (id: string) => Promise<Row | undefined>;

/**
 * Credential look-ups not answered from memory, gathered: while a statement is out, the look-ups that arrive wait
 * and go together in the next, so many cost one statement and a look-up alone waits for nothing. After a restart
 * ten thousand sockets reconnect within seconds and each upgrade resolves its token; one statement each, they held
 * every connection of the pool, and the statements the resumes needed (the room, the room's stream) queued behind
 * all of them (docs/performance.md, entry 17). Two batches at most at a time leave the rest of the pool free.
 */
export class CredentialReads {
  readonly sessions: CredentialRead<SessionWithOwner>;
  readonly tokens: CredentialRead<ApiTokenWithOwner>;

  constructor(orm: Orm) {
    this.sessions = gatheredById(orm.em, sessionsWithOwners);
    this.tokens = gatheredById(orm.em, apiTokensWithOwners);
  }
}

/**
 * Look-ups by id gathered into statements that read many (`read`: the rows with these ids, in any order): one
 * statement for every look-up that arrives while the one before is out, two out at most. Undefined for an id that
 * has no row. `source`: the entity manager whose database they read (the ORM's global one).
 */
export function gatheredById<Id, Row extends { id: Id }>(
  source: EntityManager,
  read: (em: EntityManager, ids: readonly Id[]) => Promise<Row[]>,
): (id: Id) => Promise<Row | undefined> {
  // One entity manager for every batch: the statement is raw, loads no entities and runs in no transaction, and
  // a fork per batch cost a storm's upgrades ~50 µs a batch (docs/performance.md, entry 39).
  const em = source.fork();
  const batched = new Batched<Id, Row | undefined>(
    async (ids) => {
      const found = new Map((await read(em, [...new Set(ids)])).map((row) => [row.id, row]));
      return ids.map((id) => found.get(id));
    },
    { concurrency: 2, maxBatch: 500 },
  );
  return (id) => batched.call(id);
}
