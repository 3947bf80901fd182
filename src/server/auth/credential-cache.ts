import type { EventBus, Unsubscribe } from '../realtime/bus.ts';
import { Remembered, type RememberedOptions } from '../remembered.ts';
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

/** `ttlMs` is a backstop only: an ended credential is normally heard on the bus at once. */
export type CredentialCacheOptions = RememberedOptions;

/** Remembered credentials of one kind, by id. */
export type CredentialMemory<Stored extends { id: string }> = Remembered<string, Known<Stored>>;

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
    this.sessions = new Remembered(options);
    this.tokens = new Remembered(options);
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
    const everyOfUser = event.all
      ? (known: Known<{ id: string }>) => known.userId === event.userId
      : undefined;
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
