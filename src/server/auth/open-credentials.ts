import { ApiToken, Session } from '../db/entities/index.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from '../logger.ts';
import type { EventBus, Unsubscribe } from '../realtime/bus.ts';
import { endsCredential } from '../services/session-events.ts';
import { type CredentialsEnded, credentialsEndedChannel, isCredentialsEnded } from './credential-cache.ts';

/** A socket's credential, and how to end the socket when the credential no longer holds. */
export interface OpenCredential {
  userId: number;
  sessionId: string | null;
  tokenId: string | null;
  end(): void;
}

const idsPerQuery = 1_000;

/**
 * The credentials this instance's sockets were opened with, by the user they belong to. A logout, password change,
 * revocation or ban is announced on one instance-wide channel (`credentials.ended`: one subscription per instance,
 * not one per signed-in user), and the sockets that ran on those credentials end. If the bus may have dropped such
 * news (see `EventBus.onRecover`), the instance asks the database which of these still hold — a query per
 * thousand, not one per socket — and ends the sockets of those that do not.
 */
export class OpenCredentials {
  private readonly open = new Set<OpenCredential>();
  private readonly byUser = new Map<number, Set<OpenCredential>>();
  private readonly unsubscribe: Unsubscribe;

  constructor(
    private readonly orm: Orm,
    bus: EventBus,
    private readonly log: Logger,
  ) {
    this.unsubscribe = bus.subscribe(credentialsEndedChannel, (message) => {
      if (isCredentialsEnded(message)) this.endAll(this.endedBy(message));
    });
    bus.onRecover(() => {
      this.recheck().catch((cause: unknown) =>
        log.warn('Could not re-check open sockets after the bus recovered', { cause }),
      );
    });
  }

  /** Keeps `credential` until the returned function is called (when its socket closes). */
  add(credential: OpenCredential): () => void {
    this.open.add(credential);
    const ofUser = this.byUser.get(credential.userId) ?? new Set<OpenCredential>();
    this.byUser.set(credential.userId, ofUser);
    ofUser.add(credential);
    return () => {
      this.open.delete(credential);
      ofUser.delete(credential);
      if (ofUser.size === 0) this.byUser.delete(credential.userId);
    };
  }

  private endedBy(event: CredentialsEnded): OpenCredential[] {
    return [...(this.byUser.get(event.userId) ?? [])].filter((credential) =>
      endsCredential(event, credential),
    );
  }

  private endAll(credentials: readonly OpenCredential[]): void {
    for (const credential of credentials) credential.end();
  }

  close(): void {
    this.unsubscribe();
  }

  async recheck(): Promise<void> {
    const em = this.orm.em.fork();
    const all = [...this.open];
    const sessions = await liveIds(
      all.flatMap((c) => (c.sessionId ? [c.sessionId] : [])),
      (ids) => em.find(Session, { id: { $in: ids }, expiresAt: { $gt: new Date() } }, { fields: ['id'] }),
    );
    const tokens = await liveIds(
      all.flatMap((c) => (c.tokenId ? [c.tokenId] : [])),
      (ids) => em.find(ApiToken, { id: { $in: ids } }, { fields: ['id'] }),
    );
    const ended = all.filter(
      (c) => (c.sessionId && !sessions.has(c.sessionId)) || (c.tokenId && !tokens.has(c.tokenId)),
    );
    if (ended.length)
      this.log.info('Ending sockets whose credential ended while the bus was away', { count: ended.length });
    this.endAll(ended);
  }
}

async function liveIds(
  ids: string[],
  find: (ids: string[]) => Promise<{ id: string }[]>,
): Promise<Set<string>> {
  const live = new Set<string>();
  for (let from = 0; from < ids.length; from += idsPerQuery) {
    for (const row of await find(ids.slice(from, from + idsPerQuery))) live.add(row.id);
  }
  return live;
}
