import type { User } from '../db/entities/index.ts';
import { gatheredById } from '../db/gathered.ts';
import type { Orm } from '../db/orm.ts';
import { type CredentialOwner, ownersByIds } from '../db/statements/auth.ts';
import type { EventBus, Unsubscribe } from '../realtime/bus.ts';
import { type PendingRead, Remembered, type RememberedOptions } from '../remembered.ts';
import { type AccountChangedEvent, userChannel } from '../services/session-events.ts';
import { type AuthUser, authUserFields, authUserOf } from '../views/people.ts';

/** Who a signed-in caller is now: what their credential resolves to, plus what may stop them acting. */
export interface CurrentUser extends AuthUser {
  bannedUntil: Date | null;
  banReason: string | null;
  mutedUntil: Date | null;
  muteReason: string | null;
}

/** The user fields a CurrentUser is made of, for queries that load them with something else (`user.<field>`). */
export const currentUserFields = [
  ...authUserFields,
  'bannedUntil',
  'banReason',
  'mutedUntil',
  'muteReason',
] as const;

export function toCurrentUser(user: Pick<User, (typeof currentUserFields)[number]>): CurrentUser {
  // The fields before the spread: a spread given new keys is promoted on Node 20 (procedure-call.ts).
  return {
    bannedUntil: user.bannedUntil ?? null,
    banReason: user.banReason ?? null,
    mutedUntil: user.mutedUntil ?? null,
    muteReason: user.muteReason ?? null,
    ...authUserOf(user),
  };
}

/** Every instance hears on this channel that a user's role, ban, mute or profile changed. */
const userChangesChannel = 'users.changed';

interface UserChanged {
  type: 'user.changed';
  userId: number;
}

const isUserChanged = (message: unknown): message is UserChanged =>
  typeof message === 'object' && message !== null && (message as UserChanged).type === 'user.changed';

/** `ttlMs` is a backstop only: a change is normally heard on the bus at once. */
export type CurrentUsersOptions = RememberedOptions;

/**
 * This instance's memory of who each recent caller is now (role, ban, mute, name…), so every call can act on the
 * current account without a query. Forgotten on every instance the moment a change is announced on the bus.
 * What is not remembered is read in gathered statements: a crowd that connected together (a restart's ten
 * thousand) comes due together a minute later, and read one `findOne` each (~1 ms of CPU apiece) it held the
 * instance for seconds (docs/performance.md, entry 48).
 */
export class CurrentUsers {
  private readonly users: Remembered<number, CurrentUser | null>;
  private readonly readOwner: (userId: number) => Promise<CredentialOwner | undefined>;
  private readonly unsubscribe: Unsubscribe;
  private readonly stopRecovering: Unsubscribe;

  constructor(
    private readonly bus: EventBus,
    orm: Orm,
    options: CurrentUsersOptions = { ttlMs: 60_000, maxEntries: 10_000 },
  ) {
    this.users = new Remembered(options);
    this.readOwner = gatheredById(orm.em, ownersByIds);
    this.unsubscribe = bus.subscribe(userChangesChannel, (message) => {
      if (isUserChanged(message)) this.forget(message.userId);
    });
    // Changes announced while this instance's link was down were not heard: forget everyone, read afresh.
    this.stopRecovering = bus.onRecover(() => this.users.clear());
  }

  /** Resolves once changes announced by any instance reach this one. */
  ready(): Promise<void> {
    return this.bus.ready(userChangesChannel);
  }

  /** The user as they are now; null when the account is gone. */
  async get(userId: number): Promise<CurrentUser | null> {
    const remembered = this.users.get(userId);
    return remembered !== undefined ? remembered : this.read(userId);
  }

  /**
   * The user read afresh from the database, and remembered: for `auth.me`, which every page load asks first, so
   * that a change nobody announced (an operator's `parley create-admin` against a server that cannot hear it)
   * shows on the next reload.
   */
  async read(userId: number): Promise<CurrentUser | null> {
    const read = this.startRead();
    const found = await this.readOwner(userId);
    const user = found ? toCurrentUser(found) : null;
    read.remember(userId, user);
    return user;
  }

  /**
   * Call before a query that reads a user (a credential look-up joins one in), then `remember` its result: it is
   * dropped if a change was heard meanwhile, since the row read may predate it.
   */
  startRead(): PendingRead<number, CurrentUser | null> {
    return this.users.startRead();
  }

  /**
   * Announces that a user changed: forgotten here at once, and on every other instance when the bus tells it.
   * `tellTabs` for what the user's own open tabs show (a role, a name, a mute); a ban tells them by ending their
   * sessions.
   */
  async changed(userId: number, { tellTabs = false } = {}): Promise<void> {
    this.forget(userId);
    await this.bus.publish(userChangesChannel, { type: 'user.changed', userId } satisfies UserChanged);
    if (tellTabs) {
      await this.bus.publish(userChannel(userId), { type: 'account.changed' } satisfies AccountChangedEvent);
    }
  }

  private forget(userId: number): void {
    this.users.forget([userId]);
  }

  close(): void {
    this.unsubscribe();
    this.stopRecovering();
    this.users.clear();
  }
}
