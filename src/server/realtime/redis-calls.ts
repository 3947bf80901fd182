import type { ChainableCommander, Redis } from 'ioredis';
import { type Logger, OutageLog } from '../logger.ts';
import { withTimeout } from '../timeout.ts';

/** A Redis call that takes longer than this is given up on: a caller never waits for a reconnect. */
const redisTimeoutMs = 500;
const connectedOrConnecting = new Set(['ready', 'connect', 'connecting']);

/**
 * Redis calls of one feature (presence, rate limits, instance stats) that must never hold up or fail a person's
 * call: while Redis is unreachable or slow they fail fast and the feature falls back. The first failure of an
 * outage is logged as a warning with its cause, the rest at debug level, and the recovery once.
 */
export class RedisCalls {
  private readonly outage: OutageLog;

  constructor(
    readonly redis: Redis,
    log: Logger,
    feature: string,
    fallbackNote: string,
  ) {
    this.outage = new OutageLog(log, 'warn', {
      failing: `${feature}: Redis is unavailable; ${fallbackNote}`,
      still: `${feature}: Redis still unavailable`,
      back: `${feature}: Redis is back`,
    });
  }

  /**
   * Runs `call`, or `fallback` when it fails or Redis is away: then at once, rather than after a wait in ioredis's
   * offline queue. A connection on its way up (at start-up, or a reconnect attempt) gets the usual short wait.
   */
  attempt<T>(call: (redis: Redis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    if (!connectedOrConnecting.has(this.redis.status)) {
      this.outage.failed({ cause: `not connected (${this.redis.status})` });
      return Promise.resolve(fallback());
    }
    return this.settle(call(this.redis), fallback);
  }

  /** Waits for work already started (that does something useful without Redis first) for a short while. */
  async settle<T>(work: Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await withTimeout(work, redisTimeoutMs);
    } catch (cause) {
      this.outage.failed({ cause });
      return fallback();
    }
    this.outage.worked();
    return result;
  }
}

/** Runs a MULTI and throws if it was discarded or any command in it failed (ioredis reports those per command). */
export async function execChecked(transaction: ChainableCommander): Promise<unknown[]> {
  const replies = await transaction.exec();
  if (!replies) throw new Error('Redis discarded the transaction');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/**
 * ioredis reports an error on every reconnect attempt (one every two seconds while Redis is away): the first of
 * an outage is logged as an error, the rest at debug level, and the reconnection once.
 */
export function logConnectionTrouble(connection: Redis, log: Logger, name: string): void {
  const outage = new OutageLog(log, 'error', {
    failing: `Redis ${name} connection failed; retrying`,
    still: `Redis ${name} connection: still failing`,
    back: `Redis ${name} connection is back`,
  });
  connection.on('error', (cause: unknown) => outage.failed({ cause }));
  connection.on('ready', () => outage.worked());
}
