/**
 * Redis pub/sub is a pipe that drops: whatever is published while an instance's link is down never reaches it.
 * Two instances share a Redis of this file's own, which it cuts and stops. Whatever happens to the link, a reader
 * on the other instance ends up with every message, without waiting for the room's next one, and a tab's inbox is
 * told to fetch again what it may have missed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyConnection } from '../src/sdk/index.ts';
import { fromNow, hour, signUpAdmin } from './helpers/admin.ts';
import {
  chattyLimits,
  followRoom,
  openRoom,
  people,
  privateRoomOf,
  received,
  say,
  until,
  watchUserEvents,
} from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import { codeOf } from './helpers/errors.ts';
import { type Client, type Person, signUp } from './helpers/people.ts';
import { type OwnRedis, startOwnRedis } from './helpers/redis-server.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { pause, socketClient } from './helpers/sockets.ts';

let redis: OwnRedis;
let a: TestServer;
let b: TestServer;
let connections: ParleyConnection[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  const env = { ...chattyLimits, REDIS_URL: redis.url, LOG_LEVEL: 'silent' };
  const redisPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
  a = await startTestServer({ env, redisPrefix });
  b = await startTestServer({ env, redisPrefix, databaseUrl: a.databaseUrl });
});

afterEach(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  connections = [];
});

afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis?.close();
});

function tabOn(instance: TestServer, person: Person): Client {
  const connection = instance.connect({ cookie: person.account.cookie });
  connections.push(connection);
  return connection.client;
}

/** Drops every pub/sub connection to Redis (both instances' subscribers) every `everyMs` until `stop()`. */
function keepCuttingPubSub(everyMs: number) {
  let cutting = true;
  const run = (async () => {
    let cuts = 0;
    while (cutting) {
      cuts += Number(await redis.command('CLIENT', 'KILL', 'TYPE', 'pubsub'));
      await pause(everyMs);
    }
    return cuts;
  })();
  return {
    async stop() {
      cutting = false;
      return run;
    },
  };
}

it('a reader on B gets every message sent through A while the pub/sub link kept dropping, though the room then went quiet', async () => {
  const [ann, ben] = await people(a, 'Ann', 'Ben');
  const room = await privateRoomOf(ann, ben);
  const annOnA = tabOn(a, ann);
  const onB = await openRoom(tabOn(b, ben), room.id);
  await say(annOnA, room.id, 'before the trouble');
  await received(onB, 1);

  const cutter = keepCuttingPubSub(60);
  const sent = [];
  for (let index = 0; index < 20; index++) {
    sent.push(await say(annOnA, room.id, `during the trouble ${index}`));
    await pause(40);
  }
  expect(await cutter.stop()).toBeGreaterThan(0);

  // The room is quiet now: nothing later will reveal a gap, so B must find what it missed by itself.
  const events = await received(onB, sent.length, 1, 5_000);
  expect(events.map((event) => event.data.message.body)).toEqual(sent.map((message) => message.body));
});

it('a tab on B is told to fetch its inbox again after the link dropped', async () => {
  const [ben] = await people(a, 'Ben');
  const inboxOnB = await watchUserEvents(tabOn(b, ben));
  const from = inboxOnB.mark();

  await redis.command('CLIENT', 'KILL', 'TYPE', 'pubsub');

  expect(await inboxOnB.next((event) => event.type === 'resync', from)).toEqual({ type: 'resync' });
});

it('after Redis was gone longer than a subscribe waits, B hears A again on channels it began to follow meanwhile', async () => {
  const [ann, ben] = await people(a, 'Ann', 'Ben');
  const room = await privateRoomOf(ann, ben);
  const annOnA = tabOn(a, ann);
  const bensTab = tabOn(b, ben);
  const history = await bensTab.chat.history.query({ roomId: room.id, limit: 1 });

  await redis.stop();
  // Ben opens the room on B while Redis is away, for longer than ioredis queues a command (about 10 s).
  const onB = followRoom(bensTab, room.id, String(history.items[0]?.seq ?? 0));
  await pause(12_000);
  await redis.start();
  await pause(1_500); // both instances reconnect

  const sent = await say(annOnA, room.id, 'after the outage');
  const [event] = await received(onB, 1, 0, 5_000);
  expect(event?.data.message).toEqual(sent);
}, 60_000);

it('a mute made through A while B could not hear it still holds on B once the link is back', async () => {
  const db = await connectDatabase(a.databaseUrl);
  try {
    const admin = await signUpAdmin(a, db);
    const loud = await signUp(a);
    const roomId = (await loud.client.chat.publicRoom.query()).id;
    const socket = socketClient(b.url, { headers: { cookie: loud.account.cookie } });
    try {
      expect(await socket.client.chat.typing.mutate({ roomId })).toEqual({ ok: true }); // B now knows them

      await redis.stop();
      await admin.client.admin.users.mute.mutate({
        userId: loud.id,
        reason: 'shouting',
        until: fromNow(hour),
      });
      await redis.start();
      await pause(2_000); // both instances reconnect and recover

      expect(await codeOf(socket.client.chat.typing.mutate({ roomId }))).toBe('FORBIDDEN');
    } finally {
      await socket.close();
    }
  } finally {
    await db.end();
  }
}, 30_000);

it('a logout through A while B could not hear it still ends that session’s socket on B once the link is back', async () => {
  const ann = await signUp(a);
  const socket = socketClient(b.url, { headers: { cookie: ann.account.cookie } });
  try {
    await socket.client.auth.me.query();

    await redis.stop();
    await ann.client.auth.logout.mutate();
    await redis.start();

    await until(async () => socket.closes.at(0), 'the socket on B to close', 5_000);
    expect(socket.closes[0]).toBe(4401);
  } finally {
    await socket.close();
  }
}, 30_000);

it('with Redis away, a send through A is stored and acknowledged, and a reader on B gets it when Redis is back', async () => {
  const [ann, ben] = await people(a, 'Ann', 'Ben');
  const room = await privateRoomOf(ann, ben);
  const annOnA = tabOn(a, ann);
  const onB = await openRoom(tabOn(b, ben), room.id);
  await say(annOnA, room.id, 'before');
  await received(onB, 1);

  await redis.stop();
  const sent = await say(annOnA, room.id, 'while Redis is away');
  await redis.start();

  const [event] = await received(onB, 1, 1, 5_000);
  expect(event?.data.message).toEqual(sent);
}, 30_000);
