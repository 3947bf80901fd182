import type { EventBus, Unsubscribe } from '../realtime/bus.ts';
import type { StoredApiToken } from './api-tokens.ts';
import type { StoredSession } from './sessions.ts';

/** A credential as its look-up read it, and whose it is: enough to check the next call's secret without a query. */
export interface Known<Stored extends { id: string }> {
  stored: Stored;
  userId: number;
}

/** Which credentials ended: by id, or every one of a user (a ban, a reset). */
export interface CredentialsEnded {
  userId: number;
  sessionIds?: string[];
  tokenIds?: string[];
  all?: boolean;
}

/** Every instance hears on this channel that credentials ended, whoever's they were. */
export const credentialsEndedChannel = 'credentials.ended';

export const isCredentialsEnded = (message: unknown): message is CredentialsEnded =>
  typeof message === 'object' && message !== null && typeof (message as CredentialsEnded).userId === 'number';

export interface CredentialCacheOptions {
  /** A backstop only: an ended credential is normally heard on the bus at once. */
  ttlMs: number;
  maxEntries: number;
}

/** Remembered credentials of one kind, oldest first; `generation` is bumped by every ending heard. */
export class CredentialMemory<Stored extends { id: string }> {
  private readonly entries = new Map<string, Known<Stored> & { expiresAt: number }>();
  generation = 0;

  constructor(private readonly options: CredentialCacheOptions) {}

  get(id: string): Known<Stored> | null {
    const entry = this.entries.get(id);
    return entry && entry.expiresAt > Date.now() ? entry : null;
  }

  /** Call before the look-up query, then `remember` what it read: dropped if an ending was heard meanwhile. */
  startRead(): { remember(known: Known<Stored>): void } {
    const generation = this.generation;
    return {
      remember: (known) => {
        if (generation !== this.generation) return;
        this.entries.delete(known.stored.id);
        this.entries.set(known.stored.id, { ...known, expiresAt: Date.now() + this.options.ttlMs });
        if (this.entries.size > this.options.maxEntries) {
          const oldest = this.entries.keys().next();
          if (!oldest.done) this.entries.delete(oldest.value);
        }
      },
    };
  }

  forget(ids: readonly string[], everyOfUser: number | null): void {
    this.generation++;
    for (const id of ids) this.entries.delete(id);
    if (everyOfUser === null) return;
    for (const [id, entry] of this.entries) if (entry.userId === everyOfUser) this.entries.delete(id);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}

/**
 * This instance's memory of the sessions and tokens recent HTTP calls came with, so a caller's next call checks
 * its secret against the remembered hash instead of asking the database (a script or a tab makes many calls).
 * Every instance forgets a credential the moment it ends (logout, revocation, password change, ban): the ending
 * instance at once, the others when the bus tells them, and all of them when the bus may have dropped news.
 */
export class CredentialCache {
  readonly sessions: CredentialMemory<StoredSession>;
  readonly tokens: CredentialMemory<StoredApiToken>;
  private readonly unsubscribe: Unsubscribe;
  private readonly stopRecovering: Unsubscribe;

  constructor(
    private readonly bus: EventBus,
    options: CredentialCacheOptions = { ttlMs: 60_000, maxEntries: 10_000 },
  ) {
    this.sessions = new CredentialMemory(options);
    this.tokens = new CredentialMemory(options);
    this.unsubscribe = bus.subscribe(credentialsEndedChannel, (message) => {
      if (isCredentialsEnded(message)) this.forget(message);
    });
    this.stopRecovering = bus.onRecover(() => {
      this.sessions.clear();
      this.tokens.clear();
    });
  }

  /** Resolves once endings announced by any instance reach this one. */
  ready(): Promise<void> {
    return this.bus.ready(credentialsEndedChannel);
  }

  /** Forgets the credentials here at once, and on every other instance when the bus tells it. */
  async ended(event: CredentialsEnded): Promise<void> {
    this.forget(event);
    await this.bus.publish(credentialsEndedChannel, event);
  }

  private forget(event: CredentialsEnded): void {
    const everyOfUser = event.all ? event.userId : null;
    this.sessions.forget(event.sessionIds ?? [], everyOfUser);
    this.tokens.forget(event.tokenIds ?? [], everyOfUser);
  }

  close(): void {
    this.unsubscribe();
    this.stopRecovering();
    this.sessions.clear();
    this.tokens.clear();
  }
}
