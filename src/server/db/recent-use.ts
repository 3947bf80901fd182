import type { Logger } from '../logger.ts';
import type { Orm } from './orm.ts';
import { markTokensUsed, markUsersSeen } from './statements/auth.ts';

/** How long a "last used" or "last seen" may wait before it is written. */
const writeEveryMs = 5_000;

/**
 * "Last used" of API tokens and "last seen" of people: shown to the minute, so they are written a few seconds late,
 * in one statement per batch, instead of one write per call or per closed socket (a thousand scripts connecting
 * at once would otherwise cost a thousand writes).
 */
export class RecentUse {
  private readonly tokens = new Set<string>();
  private readonly users = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly orm: Orm,
    private readonly log: Logger,
  ) {}

  tokenUsed(tokenId: string): void {
    this.tokens.add(tokenId);
    this.writeSoon();
  }

  userSeen(userId: number): void {
    this.users.add(userId);
    this.writeSoon();
  }

  /** Writes what is waiting now; resolves when it is stored (or failed, which is logged). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const tokens = [...this.tokens];
    const users = [...this.users];
    this.tokens.clear();
    this.users.clear();
    this.writing = this.writing.then(() => this.write(tokens, users));
    return this.writing;
  }

  private writeSoon(): void {
    this.timer ??= setTimeout(() => void this.flush(), writeEveryMs).unref();
  }

  private async write(tokens: string[], users: number[]): Promise<void> {
    const em = this.orm.em.fork();
    const now = new Date();
    try {
      if (tokens.length) await markTokensUsed(em, tokens, now);
      if (users.length) await markUsersSeen(em, users, now);
    } catch (cause) {
      this.log.warn('Could not record when tokens were last used and people last seen', {
        tokens: tokens.length,
        users: users.length,
        cause,
      });
    }
  }
}
