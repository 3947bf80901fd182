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
 * skewed clocks agree). ARGV: window, limit, hit id, how many hits this instance allowed on its own since it last
 * told Redis (added first, at Redis's now), and whether to decide on a new hit (1) or only to count (0). Replies
 * `{allowed, waitMs, count}`, count being the hits now within the window.
 */
const slidingWindowScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local earlier = tonumber(ARGV[4])
for i = 1, earlier do
  redis.call('ZADD', KEYS[1], now, ARGV[3] .. ':' .. i)
end
if earlier > 0 then redis.call('PEXPIRE', KEYS[1], window) end
local count = redis.call('ZCARD', KEYS[1])
if ARGV[5] == '0' then return {1, 0, count} end
if count < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0, count + 1}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now, count}
`;
const slidingWindowSha = createHash('sha1').update(slidingWindowScript).digest('hex');

/**
 * The hits instances allowed on their own, for many keys at once, counted on Redis's clock as the script above
 * counts them. KEYS: the keys; ARGV: a hit id prefix, then each key's window and its unsent hits. Replies each
 * key's count within its window, in order.
 */
const countUnsentScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local counts = {}
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i])
  local unsent = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local added = 0
  while added < unsent do
    local members = {}
    for j = added + 1, math.min(unsent, added + 500) do
      members[#members + 1] = now
      members[#members + 1] = ARGV[1] .. i .. ':' .. j
    end
    redis.call('ZADD', key, unpack(members))
    added = added + #members / 2
  end
  redis.call('PEXPIRE', key, window)
  counts[i] = redis.call('ZCARD', key)
end
return counts
`;
const countUnsentSha = createHash('sha1').update(countUnsentScript).digest('hex');

/**
 * Far below a limit, an instance allows a hit without asking Redis: while the count Redis last gave it for the
 * key, plus its own hits since, stays within this share of the limit. Only limits of at least
 * `localAllowanceFromLimit` (sending, reading, typing, queries; not sign-in or search) do so.
 */
const localShare = 0.25;
const localAllowanceFromLimit = 100;
/** How long hits allowed on their own wait before Redis counts them (all keys in one pipeline). */
const flushDelayMs = 20;

/** A key's count as Redis last reported it, and the hits this instance allowed since without telling Redis. */
interface KeyView {
  counted: number;
  at: number;
  windowMs: number;
  unsent: number;
}

type ScriptReply = { allowed: boolean; waitMs: number; count: number };

/**
 * Limits shared by every instance through Redis. While Redis is unreachable or slow, each instance limits on its
 * own (the same limits, per instance) and says so once in the log: a limit is never a reason to fail a call.
 *
 * A hit far below its limit (see `localShare`) is allowed at once and counted in Redis within `flushDelayMs`;
 * near the limit every hit is decided by Redis, with the unsent hits added first. Tolerance: an instance whose
 * last look at a key is stale (others spent the budget since) can let through up to a quarter of the limit more
 * before its count comes back, so with N instances at most limit × (1 + (N − 1) / 4) hits in a window, and only
 * for a burst that reaches several instances at once. Hits not yet sent when Redis fails are not counted there.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly local = new MemoryRateLimiter();
  private readonly calls: RedisCalls;
  private readonly hitIds = `${randomBytes(6).toString('hex')}:`;
  private hits = 0;
  private readonly views = new Map<string, KeyView>();
  /** Keys with hits allowed here that Redis has not been told of yet. */
  private unsentKeys = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private sweptAt = 0;

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
    const fullKey = `${this.prefix}rate:${key}`;
    const view = this.views.get(fullKey);
    if (view && farBelow(view, limit, windowMs)) {
      view.unsent++;
      this.unsentKeys.add(fullKey);
      this.flushSoon();
      return Promise.resolve(decision(true, 0));
    }
    return this.calls.attempt(
      (redis) => this.check(redis, fullKey, limit, windowMs),
      () => this.local.hit(key, limit, windowMs),
    );
  }

  private async check(redis: Redis, fullKey: string, limit: number, windowMs: number): Promise<RateDecision> {
    const unsent = this.takeUnsent(fullKey);
    const reply = await this.runScript(redis, this.scriptArgs(fullKey, windowMs, limit, unsent, true));
    this.remember(fullKey, reply.count, windowMs);
    this.sweep();
    return decision(reply.allowed, reply.waitMs);
  }

  private flushSoon(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      void this.calls.attempt(
        (redis) => this.flush(redis),
        () => undefined,
      );
    }, flushDelayMs).unref();
  }

  /** Tells Redis every key's unsent hits in one script call, and learns each key's count back. */
  private async flush(redis: Redis): Promise<void> {
    const keys = [...this.unsentKeys];
    // A fresh set, not this one cleared: a set that outlives many flushes keeps what it held until a full
    // collection, so each flush's keys would be promoted (docs/performance.md, entry 43).
    this.unsentKeys = new Set();
    if (keys.length === 0) return;
    const windows = keys.map((fullKey) => this.views.get(fullKey)?.windowMs ?? 0);
    const perKey = keys.flatMap((fullKey, i) => [windows[i]!, this.takeUnsent(fullKey)]);
    const args = [...keys, `${this.hitIds}${this.hits++}:`, ...perKey];
    const reply: unknown = await redis
      .evalsha(countUnsentSha, keys.length, ...args)
      .catch((error: unknown) => {
        // A fresh Redis (restarted, or flushed) lacks the script until its first call.
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        return redis.eval(countUnsentScript, keys.length, ...args);
      });
    if (!Array.isArray(reply) || reply.length !== keys.length) {
      throw new Error(`Unexpected reply from the rate limit count: ${JSON.stringify(reply)}`);
    }
    keys.forEach((fullKey, i) => {
      this.remember(fullKey, Number(reply[i]), windows[i]!);
    });
    this.sweep();
  }

  private scriptArgs(fullKey: string, windowMs: number, limit: number, unsent: number, decide: boolean) {
    return [1, fullKey, windowMs, limit, `${this.hitIds}${this.hits++}`, unsent, decide ? 1 : 0] as const;
  }

  private async runScript(
    redis: Redis,
    args: ReturnType<RedisRateLimiter['scriptArgs']>,
  ): Promise<ScriptReply> {
    const reply: unknown = await redis.evalsha(slidingWindowSha, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(slidingWindowScript, ...args);
      }
      throw error;
    });
    return scriptReply(reply);
  }

  private takeUnsent(fullKey: string): number {
    const view = this.views.get(fullKey);
    if (!view) return 0;
    const unsent = view.unsent;
    view.unsent = 0;
    return unsent;
  }

  private remember(fullKey: string, count: number, windowMs: number): void {
    const view = this.views.get(fullKey);
    if (view) Object.assign(view, { counted: count, at: Date.now(), windowMs });
    else this.views.set(fullKey, { counted: count, at: Date.now(), windowMs, unsent: 0 });
  }

  /** Views older than their window tell nothing any more (looked for at most once a second). */
  private sweep(): void {
    const now = Date.now();
    if (this.views.size < 10_000 || now - this.sweptAt < 1_000) return;
    this.sweptAt = now;
    for (const [fullKey, view] of this.views) {
      if (view.unsent === 0 && now - view.at > view.windowMs) this.views.delete(fullKey);
    }
  }
}

/** The view is recent, and this hit keeps the key within the share of its limit an instance may allow alone. */
function farBelow(view: KeyView, limit: number, windowMs: number): boolean {
  return (
    limit >= localAllowanceFromLimit &&
    view.windowMs === windowMs &&
    Date.now() - view.at < windowMs &&
    view.counted + view.unsent + 1 <= Math.floor(limit * localShare)
  );
}

function scriptReply(reply: unknown): ScriptReply {
  if (
    !Array.isArray(reply) ||
    typeof reply[0] !== 'number' ||
    typeof reply[1] !== 'number' ||
    typeof reply[2] !== 'number'
  ) {
    throw new Error(`Unexpected reply from the rate limit script: ${JSON.stringify(reply)}`);
  }
  return { allowed: reply[0] === 1, waitMs: reply[1], count: reply[2] };
}
