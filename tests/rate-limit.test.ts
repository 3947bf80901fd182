/**
 * A limit of N a window means N within any window's length, not 2N across a boundary: a fixed window let five
 * calls at the end of one window and five more at the start of the next all through.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/server/logger.ts';
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from '../src/server/realtime/rate-limit.ts';
import { testRedisUrl } from './helpers/server.ts';
import { pause } from './helpers/sockets.ts';

const limit = 5;
const windowMs = 2_000;
const prefix = `parley-test:${randomBytes(4).toString('hex')}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(testRedisUrl);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function burst(limiter: RateLimiter, key: string, hits: number) {
  const decisions = [];
  for (let i = 0; i < hits; i++) decisions.push(await limiter.hit(key, limit, windowMs));
  return decisions;
}

const limiters: [string, () => RateLimiter][] = [
  ['in Redis', () => new RedisRateLimiter(redis, prefix, createLogger('silent'))],
  ['in process', () => new MemoryRateLimiter()],
];

describe.each(limiters)('a rate limit kept %s', (_, makeLimiter) => {
  it('refuses a second burst just after the window turns, when the first burst is still recent', async () => {
    const limiter = makeLimiter();
    const key = `burst:${randomBytes(4).toString('hex')}`;
    const first = await burst(limiter, key, 1);
    await pause(windowMs * 0.75);
    const rest = await burst(limiter, key, limit - 1);
    expect([...first, ...rest].every((d) => d.allowed)).toBe(true);

    // A fixed window started with the first hit has turned now; four of the five hits above are still recent.
    await pause(windowMs * 0.35);
    const second = await burst(limiter, key, limit);
    const allowed = second.filter((d) => d.allowed).length;
    expect(allowed).toBeLessThanOrEqual(1);
    for (const refused of second.filter((d) => !d.allowed)) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
  });

  it('allows the full limit again once a whole window has passed', async () => {
    const limiter = makeLimiter();
    const key = `later:${randomBytes(4).toString('hex')}`;
    expect((await burst(limiter, key, limit + 1)).map((d) => d.allowed)).toEqual([
      ...Array(limit).fill(true),
      false,
    ]);
    await pause(windowMs + 100);
    expect((await burst(limiter, key, limit)).every((d) => d.allowed)).toBe(true);
  });
});
