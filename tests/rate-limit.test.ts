/**
 * A limit of N a window means N within any window's length, not 2N across a boundary: a fixed window let five
 * calls at the end of one window and five more at the start of the next all through.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

describe('a large limit shared by two instances through Redis', () => {
  const sendLimit = 100;
  const minute = 60_000;
  const freshKey = () => `sends:${randomBytes(4).toString('hex')}`;
  const counted = (key: string) => redis.zcard(`${prefix}rate:${key}`);
  const instance = () => new RedisRateLimiter(redis, prefix, createLogger('silent'));

  it('lets someone far below the limit send without a Redis round trip each time, and still counts every send', async () => {
    const limiter = instance();
    const key = freshKey();
    const scriptCalls = vi.spyOn(redis, 'evalsha');
    const decisions = [];
    for (let i = 0; i < 20; i++) decisions.push(await limiter.hit(key, sendLimit, minute));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    // The first send asks Redis; the next quarter of the limit is allowed here and told to Redis in one batch.
    expect(scriptCalls).toHaveBeenCalledTimes(1);
    scriptCalls.mockRestore();
    await pause(100);
    expect(await counted(key)).toBe(20);
  });

  it("tells Redis of many people's sends far below their limits in one script call", async () => {
    const limiter = instance();
    const keys = Array.from({ length: 30 }, freshKey);
    for (const key of keys) await limiter.hit(key, sendLimit, minute);
    await pause(100);
    const scriptCalls = vi.spyOn(redis, 'evalsha');
    for (const key of keys) for (let i = 0; i < 3; i++) await limiter.hit(key, sendLimit, minute);
    await pause(100);
    expect(scriptCalls).toHaveBeenCalledTimes(1);
    scriptCalls.mockRestore();
    expect(await Promise.all(keys.map(counted))).toEqual(keys.map(() => 4));
  });

  it('allows exactly the limit to someone who sends through one instance', async () => {
    const limiter = instance();
    const key = freshKey();
    const decisions = [];
    for (let i = 0; i < sendLimit + 10; i++) decisions.push(await limiter.hit(key, sendLimit, minute));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(sendLimit);
    expect(decisions.slice(sendLimit).every((d) => !d.allowed)).toBe(true);
  });

  it('holds the limit within a quarter more for someone who sends through both instances at once', async () => {
    const [first, second] = [instance(), instance()];
    const key = freshKey();
    const both = await Promise.all(
      [first, second].map(async (limiter) => {
        const decisions = [];
        for (let i = 0; i < sendLimit; i++) decisions.push(await limiter.hit(key, sendLimit, minute));
        return decisions;
      }),
    );
    const allowed = both.flat().filter((d) => d.allowed).length;
    expect(allowed).toBeGreaterThanOrEqual(sendLimit);
    expect(allowed).toBeLessThanOrEqual(sendLimit * 1.25);
    await pause(100);
    expect(await counted(key)).toBe(allowed);
  });
});
