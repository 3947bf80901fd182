/**
 * What one instance publishes in a turn goes to Redis in one write, and the other instance still hears every
 * event once, in the order it was published, the last ones too when the publisher closes right after.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, expect, it, vi } from 'vitest';
import { createLogger } from '../src/server/logger.ts';
import { RedisBus } from '../src/server/realtime/redis-bus.ts';
import { testRedisUrl } from './helpers/server.ts';
import { eventually } from './helpers/sockets.ts';

const buses: RedisBus[] = [];

function instance(prefix: string): { bus: RedisBus; publisher: Redis } {
  const publisher = new Redis(testRedisUrl);
  const subscriber = new Redis(testRedisUrl, { autoResubscribe: false });
  const bus = new RedisBus(publisher, subscriber, prefix, createLogger('silent'));
  buses.push(bus);
  return { bus, publisher };
}

/** Two instances of one deployment, and what the second hears on `channel` (subscribed before this returns). */
async function twoInstancesHearing(channel: string) {
  const prefix = `parley-test:${randomBytes(4).toString('hex')}:`;
  const [a, b] = [instance(prefix), instance(prefix)];
  const heard: unknown[] = [];
  b.bus.subscribe(channel, (message) => heard.push(message));
  await b.bus.ready(channel);
  return { a, heard };
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

it("a room's burst of events reaches the other instance in order, written to Redis once", async () => {
  const { a, heard } = await twoInstancesHearing('room:1');
  const heardOnA: unknown[] = [];
  a.bus.subscribe('room:1', (message) => heardOnA.push(message));

  const pipelines = vi.spyOn(a.publisher, 'pipeline');
  const singlePublishes = vi.spyOn(a.publisher, 'publish');
  const burst = Array.from({ length: 30 }, (_, position) => ({ position }));
  for (const event of burst) await a.bus.publish('room:1', event);

  expect(heardOnA).toEqual(burst);
  await eventually(() => (heard.length === burst.length ? true : undefined), 'every event on B');
  expect(heard).toEqual(burst);
  expect(pipelines).toHaveBeenCalledTimes(1);
  expect(singlePublishes).not.toHaveBeenCalled();
});

it('events published just before an instance closes still reach the others', async () => {
  const { a, heard } = await twoInstancesHearing('user:7');

  await a.bus.publish('user:7', { type: 'presence.left' });
  await a.bus.close();
  await eventually(() => (heard.length === 1 ? true : undefined), 'the last event on B');
  expect(heard).toEqual([{ type: 'presence.left' }]);
});
