import { ApiToken, Session } from '../db/entities/index.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from '../logger.ts';
import type { EventBus } from '../realtime/bus.ts';

/** A socket's credential, and how to end the socket when the credential no longer holds. */
export interface OpenCredential {
  sessionId: string | null;
  tokenId: string | null;
  end(): void;
}

const idsPerQuery = 1_000;

/**
 * The credentials this instance's sockets were opened with. A logout, password change or ban is announced on the
 * bus; if the bus may have dropped it (see `EventBus.onRecover`), the instance asks the database which of these
 * still hold — a query per thousand, not one per socket — and ends the sockets of those that do not.
 */
export class OpenCredentials {
  private readonly open = new Set<OpenCredential>();

  constructor(
    private readonly orm: Orm,
    bus: EventBus,
    private readonly log: Logger,
  ) {
    bus.onRecover(() => {
      this.recheck().catch((cause: unknown) =>
        log.warn('Could not re-check open sockets after the bus recovered', { cause }),
      );
    });
  }

  /** Keeps `credential` until the returned function is called (when its socket closes). */
  add(credential: OpenCredential): () => void {
    this.open.add(credential);
    return () => void this.open.delete(credential);
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
    for (const credential of ended) credential.end();
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
