/**
 * Redis goes away (a restart, a network cut): the instance keeps serving what does not need it. People still sign
 * in, change things and list their rooms; rate limits hold per instance; `/healthz` tells the operator that Redis is
 * down, and that it is back once it returns. Without PostgreSQL the instance cannot serve: `/healthz` answers 503,
 * so the load balancer takes it out, and calls answer SERVICE_UNAVAILABLE with a time to try again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawMutation, rawQuery } from './helpers/http.ts';
import { type OwnRedis, startOwnRedis } from './helpers/redis-server.ts';
import { createTestDatabase, startTestServer, type TestServer } from './helpers/server.ts';
import { pause } from './helpers/sockets.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';
import { type Account, registerUser, roomyLimits } from './helpers/users.ts';

let redis: OwnRedis;
let server: TestServer;
let alice: Account;

interface Health {
  status: number;
  body: { status: string; database: string; redis: string };
}

async function health(at = server): Promise<Health> {
  const response = await fetch(`${at.url}/healthz`);
  return { status: response.status, body: (await response.json()) as Health['body'] };
}

async function untilHealth(expected: Health['body']): Promise<Health> {
  let last = await health();
  for (let tries = 0; tries < 100 && JSON.stringify(last.body) !== JSON.stringify(expected); tries++) {
    await pause(100);
    last = await health();
  }
  return last;
}

beforeAll(async () => {
  redis = await startOwnRedis();
  server = await startTestServer({
    env: { ...roomyLimits, REDIS_URL: redis.url, RATE_MUTATIONS_PER_MINUTE: '3', LOG_LEVEL: 'silent' },
  });
  alice = await registerUser(server);
});

afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

it('says all is well while PostgreSQL and Redis are up', async () => {
  expect(await health()).toEqual({ status: 200, body: { status: 'ok', database: 'ok', redis: 'ok' } });
});

it('keeps signing people in, taking their changes and listing their rooms while Redis is down', async () => {
  await redis.stop();

  const signIn = await rawMutation(server.url, 'auth.login', {
    login: alice.username,
    password: alice.password,
  });
  expect(signIn.error).toBeNull();
  const cookie = { cookie: alice.cookie };
  const update = await rawMutation(server.url, 'users.updateProfile', { bio: 'Redis is out' }, cookie);
  expect(update.error).toBeNull();
  const rooms = await rawQuery(server.url, 'chat.rooms', undefined, cookie);
  expect(rooms.error).toBeNull();

  // The limit still holds, kept by this instance alone: three changes a minute, then a polite refusal.
  const more = [];
  for (let i = 0; i < 3; i++) {
    more.push(await rawMutation(server.url, 'users.updateProfile', { bio: `again ${i}` }, cookie));
  }
  expect(more.map((r) => r.error?.data.code ?? 'ok')).toContain('TOO_MANY_REQUESTS');
  expect(more.map((r) => r.status)).not.toContain(500);
});

it('reports Redis down on /healthz while serving, then ok again once Redis is back', async () => {
  expect(await untilHealth({ status: 'degraded', database: 'ok', redis: 'down' })).toEqual({
    status: 200,
    body: { status: 'degraded', database: 'ok', redis: 'down' },
  });

  await redis.start();
  expect(await untilHealth({ status: 'ok', database: 'ok', redis: 'ok' })).toEqual({
    status: 200,
    body: { status: 'ok', database: 'ok', redis: 'ok' },
  });
});

it('answers 503 with the database down when PostgreSQL cannot be reached', async () => {
  const database = await createTestDatabase();
  const url = new URL(database.url);
  const proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
  url.port = String(proxy.port);
  const cutOff = await startTestServer({
    databaseUrl: url.toString(),
    env: { REDIS_URL: redis.url, LOG_LEVEL: 'silent' },
  });
  try {
    expect((await health(cutOff)).body.database).toBe('ok');
    await proxy.close();
    await pause(1_100); // the previous answer is reused for a second
    expect(await health(cutOff)).toEqual({
      status: 503,
      body: { status: 'down', database: 'down', redis: 'ok' },
    });

    // A call that needs the database says so, with when to try again: not a bare 500.
    const answer = await rawQuery(cutOff.url, 'chat.publicRoom');
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(answer.error).toMatchObject({
      message: 'The database is not answering right now. Please try again in a moment.',
      data: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) },
    });
  } finally {
    await cutOff.close();
    await database.drop();
  }
});
