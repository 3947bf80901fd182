/**
 * The bounded memory behind the current users, the remembered credentials and the ORM's result cache: values last
 * their time, the oldest go past the bound, and a read begun before a forget is not remembered after it.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { Remembered } from '../src/server/remembered.ts';

it('keeps a value for its time, a remembered null as null, and drops the oldest past the bound', async () => {
  const memory = new Remembered<string, number | null>({ ttlMs: 60_000, maxEntries: 2 });
  memory.set('gone', null);
  memory.set('a', 1);
  expect(memory.get('gone')).toBeNull();
  memory.set('b', 2);
  expect(memory.get('gone')).toBeUndefined();
  expect([memory.get('a'), memory.get('b')]).toEqual([1, 2]);
  memory.set('brief', 3, 5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(memory.get('brief')).toBeUndefined();
});

it('does not remember a read that began before a forget, and forgets what a test picks', () => {
  const memory = new Remembered<string, { owner: number }>({ ttlMs: 60_000, maxEntries: 10 });
  const stale = memory.startRead();
  memory.forget(['x']);
  stale.remember('x', { owner: 1 });
  expect(memory.get('x')).toBeUndefined();
  const fresh = memory.startRead();
  fresh.remember('x', { owner: 1 });
  fresh.remember('y', { owner: 2 });
  memory.forget([], (value) => value.owner === 1);
  expect([memory.get('x'), memory.get('y')]).toEqual([undefined, { owner: 2 }]);
});

afterEach(() => vi.useRealTimers());

it('lets values kept together come due over the last quarter of their time, not all at once', () => {
  vi.useFakeTimers({ now: new Date('2026-12-06T12:00:00Z') });
  const memory = new Remembered<number, number>({ ttlMs: 60_000, maxEntries: 1_000 });
  const crowd = Array.from({ length: 400 }, (_, i) => i);
  for (const id of crowd) memory.set(id, id);
  const kept = () => crowd.filter((id) => memory.get(id) !== undefined).length;

  vi.advanceTimersByTime(44_000);
  expect(kept()).toBe(400);
  vi.advanceTimersByTime(8_000);
  // Half the quarter gone: about half come due by now (400 at once was what a crowd did).
  expect(kept()).toBeGreaterThan(100);
  expect(kept()).toBeLessThan(300);
  vi.advanceTimersByTime(8_000);
  expect(kept()).toBe(0);
});
