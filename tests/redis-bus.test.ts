/**
 * What one instance publishes in a turn, on any channels, goes to Redis as one PUBLISH, and the other instance
 * still hears every event of the channels it follows once, in the order it was published, the last ones too when
 * the publisher closes right after.
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

it("a turn's events on several channels reach the other instance in order, as one publish to Redis", async () => {
  const { a, heard } = await twoInstancesHearing('room:1');
  const heardOnA: unknown[] = [];
  a.bus.subscribe('room:1', (message) => heardOnA.push(message));

  const publishes = vi.spyOn(a.publisher, 'publish');
  const burst = Array.from({ length: 30 }, (_, position) => ({
    position,
    body: `line ${position}\nand "more"`,
  }));
  for (const event of burst) {
    await a.bus.publish('room:1', event);
    // Each member's sidebar hears of it on their own channel, which nobody on B follows.
    await a.bus.publish('user:1', { type: 'room.changed', event });
  }

  expect(heardOnA).toEqual(burst);
  await eventually(() => (heard.length === burst.length ? true : undefined), 'every event on B');
  expect(heard).toEqual(burst);
  expect(publishes).toHaveBeenCalledTimes(1);
});

it('an instance parses only the events of channels someone there follows', async () => {
  const { a, heard } = await twoInstancesHearing('room:2');
  const parse = vi.spyOn(JSON, 'parse');

  await a.bus.publish('user:3', { type: 'friends.changed' });
  await a.bus.publish('room:2', { position: 1 });
  await eventually(() => (heard.length === 1 ? true : undefined), 'the room event on B');

  expect(heard).toEqual([{ position: 1 }]);
  const parsed = parse.mock.calls.map(([text]) => String(text));
  expect(parsed.filter((text) => text.includes('friends.changed'))).toEqual([]);
  expect(parsed.filter((text) => text.includes('"position":1'))).toHaveLength(1);
});

it('events published just before an instance closes still reach the others', async () => {
  const { a, heard } = await twoInstancesHearing('user:7');

  await a.bus.publish('user:7', { type: 'presence.left' });
  await a.bus.close();
  await eventually(() => (heard.length === 1 ? true : undefined), 'the last event on B');
  expect(heard).toEqual([{ type: 'presence.left' }]);
});
