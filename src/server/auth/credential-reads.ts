import { gatheredById } from '../db/gathered.ts';
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
