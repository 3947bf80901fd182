import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { RedisCalls } from './redis-calls.ts';

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * Sliding-window limits: at most `limit` allowed hits within any `windowMs` for each key. (A fixed window let
 * `limit` hits at the end of one window and `limit` more at the start of the next through.) Refused hits do not
 * count, so a client that waits `retryAfterSeconds` gets in.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowMs: number): Promise<RateDecision>;
}

function decision(allowed: boolean, waitMs: number): RateDecision {
  return { allowed, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** The times of each key's allowed hits within its window, oldest first. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly logs = new Map<string, { hits: number[]; windowMs: number }>();

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const now = Date.now();
    if (this.logs.size > 100_000) this.sweep(now);
    let log = this.logs.get(key);
    if (!log) {
      log = { hits: [], windowMs };
      this.logs.set(key, log);
    }
    log.windowMs = windowMs;
    const recent = log.hits.findIndex((at) => at > now - windowMs);
    log.hits.splice(0, recent < 0 ? log.hits.length : recent);
    const oldest = log.hits[0];
    if (log.hits.length >= limit && oldest !== undefined) return decision(false, oldest + windowMs - now);
    log.hits.push(now);
    return decision(true, 0);
  }

  private sweep(now: number): void {
    for (const [key, log] of this.logs) {
      const newest = log.hits.at(-1) ?? 0;
      if (newest <= now - log.windowMs) this.logs.delete(key);
    }
  }
}

/**
 * One sorted set of hit times per key, trimmed and checked in one script on Redis's clock (so instances with
 * skewed clocks agree). Replies `{allowed, waitMs}`.
 */
const slidingWindowScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
`;
const slidingWindowSha = createHash('sha1').update(slidingWindowScript).digest('hex');

/**
 * Limits shared by every instance through Redis. While Redis is unreachable or slow, each instance limits on its
 * own (the same limits, per instance) and says so once in the log: a limit is never a reason to fail a call.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly local = new MemoryRateLimiter();
  private readonly calls: RedisCalls;
  private readonly hitIds = `${randomBytes(6).toString('hex')}:`;
  private hits = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    log: Logger,
  ) {
    this.calls = new RedisCalls(
      redis,
      log,
      'Rate limits',
      'each instance limits on its own until it returns',
    );
  }

  hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    return this.calls.attempt(
      (redis) => this.check(redis, `${this.prefix}rate:${key}`, limit, windowMs),
      () => this.local.hit(key, limit, windowMs),
    );
  }

  private async check(redis: Redis, fullKey: string, limit: number, windowMs: number): Promise<RateDecision> {
    const args = [1, fullKey, windowMs, limit, `${this.hitIds}${this.hits++}`] as const;
    const reply: unknown = await redis.evalsha(slidingWindowSha, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(slidingWindowScript, ...args);
      }
      throw error;
    });
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
      throw new Error(`Unexpected reply from the rate limit script: ${JSON.stringify(reply)}`);
    }
    return decision(reply[0] === 1, reply[1]);
  }
}
