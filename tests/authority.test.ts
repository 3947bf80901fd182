/**
 * Authority is what the account is now, not what it was when a socket opened: a demoted admin, a renamed person,
 * a session whose check hits a database hiccup. Two instances of one deployment share the database and Redis.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNow, hour, signUpAdmin } from './helpers/admin.ts';
import { chattyLimits, isTyping, people, publicRoomId, say, until, watchActivity } from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import { codeOf } from './helpers/errors.ts';
import { signUp } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { pause, socketClient, watchSession } from './helpers/sockets.ts';

let server: TestServer;
let second: TestServer;
let db: pg.Client;

beforeAll(async () => {
  server = await startTestServer({ env: chattyLimits });
  second = await startTestServer({
    env: chattyLimits,
    databaseUrl: server.databaseUrl,
    redisPrefix: server.deps.config.redisKeyPrefix,
  });
  db = await connectDatabase(server.databaseUrl);
});

afterAll(async () => {
  await db?.end();
  await second?.close();
  await server?.close();
});

describe('a demoted admin loses their powers on the sockets they already have open', () => {
  it('cannot delete other people’s messages through the socket they opened as an admin', async () => {
    const root = await signUpAdmin(server, db);
    const mallory = await signUpAdmin(server, db);
    const [victim] = await people(server, 'Victim');
    const words = await say(victim.client, await publicRoomId(victim.client), 'Something Mallory dislikes');
    const socket = socketClient(server.url, { headers: { cookie: mallory.account.cookie } });
    try {
      expect((await socket.client.auth.me.query())?.role).toBe('admin');
      await root.client.admin.users.setRole.mutate({ userId: mallory.id, role: 'user' });

      const removal = socket.client.chat.delete.mutate({ messageId: words.id });
      expect(await codeOf(removal)).toBe('FORBIDDEN');
      const [latest] = (await victim.client.chat.history.query({ roomId: words.roomId })).items;
      expect(latest).toMatchObject({ id: words.id, deletedAt: null });
    } finally {
      await socket.close();
    }
  });

  it('demoted through one instance, their socket on the other instance loses the power at once', async () => {
    const root = await signUpAdmin(server, db);
    const mallory = await signUpAdmin(server, db);
    const [victim] = await people(server, 'Victim');
    const words = await say(victim.client, await publicRoomId(victim.client), 'Also disliked');
    const token = await mallory.client.auth.createToken.mutate({
      login: mallory.username,
      password: mallory.account.password,
      name: 'moderation script',
    });
    const socket = socketClient(second.url, { connectionParams: { token: token.token } });
    try {
      expect((await socket.client.auth.me.query())?.role).toBe('admin');
      await root.client.admin.users.setRole.mutate({ userId: mallory.id, role: 'user' });
      await pause(100); // the bus carries the change to the other instance

      expect((await socket.client.auth.me.query())?.role).toBe('user');
      expect(await codeOf(socket.client.chat.delete.mutate({ messageId: words.id }))).toBe('FORBIDDEN');
    } finally {
      await socket.close();
    }
  });

  it('a promotion takes effect on an open socket too, on every instance', async () => {
    const root = await signUpAdmin(server, db);
    const [helper] = await people(server, 'Helper');
    const socket = socketClient(second.url, { headers: { cookie: helper.account.cookie } });
    try {
      expect(await codeOf(socket.client.admin.stats.query())).toBe('FORBIDDEN');
      await root.client.admin.users.setRole.mutate({ userId: helper.id, role: 'admin' });
      await pause(100);

      expect((await socket.client.auth.me.query())?.role).toBe('admin');
      expect((await socket.client.admin.stats.query()).users).toBeGreaterThan(0);
    } finally {
      await socket.close();
    }
  });
});

describe('an open tab hears its account changed', () => {
  it('a promotion and a rename each tell every tab of the person, on every instance, to read auth.me again', async () => {
    const root = await signUpAdmin(server, db);
    const [helper] = await people(server, 'Helper');
    const socket = socketClient(second.url, { headers: { cookie: helper.account.cookie } });
    const session = watchSession(socket.client);
    try {
      expect(await session.next()).toEqual({ type: 'active' });
      await root.client.admin.users.setRole.mutate({ userId: helper.id, role: 'admin' });
      expect(await session.next()).toEqual({ type: 'changed' });
      expect((await socket.client.auth.me.query())?.role).toBe('admin');

      await helper.client.users.updateProfile.mutate({ displayName: 'Chief Helper' });
      expect(await session.next()).toEqual({ type: 'changed' });
      expect((await socket.client.auth.me.query())?.displayName).toBe('Chief Helper');
    } finally {
      session.stop();
      await socket.close();
    }
  });
});

describe('who someone is, as an open socket sees them', () => {
  it('after a rename, their typing shows the new name to others, on every instance', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const roomId = await publicRoomId(ann.client);
    const socket = socketClient(second.url, { headers: { cookie: ann.account.cookie } });
    const watching = watchActivity(second.client({ cookie: ben.account.cookie }), roomId);
    try {
      await socket.client.auth.me.query();
      await ann.client.users.updateProfile.mutate({ displayName: 'Annabel' });
      await pause(100);

      await until(async () => {
        await socket.client.chat.typing.mutate({ roomId });
        await pause(50);
        return watching.events.filter(isTyping).some((event) => event.user.id === ann.id) || undefined;
      }, 'Ann typing');
      const typing = watching.events.filter(isTyping).filter((event) => event.user.id === ann.id);
      expect(typing.map((event) => event.user.displayName)).toEqual(typing.map(() => 'Annabel'));
    } finally {
      watching.stop();
      await socket.close();
    }
  });

  it('muted through one instance, their socket on the other cannot type or send; unmuted, it can again', async () => {
    const admin = await signUpAdmin(server, db);
    const [loud] = await people(server, 'Loud');
    const roomId = await publicRoomId(loud.client);
    const socket = socketClient(second.url, { headers: { cookie: loud.account.cookie } });
    try {
      await socket.client.chat.typing.mutate({ roomId });
      await admin.client.admin.users.mute.mutate({
        userId: loud.id,
        reason: 'shouting',
        until: fromNow(hour),
      });
      await pause(100);

      expect(await codeOf(socket.client.chat.typing.mutate({ roomId }))).toBe('FORBIDDEN');
      expect(await codeOf(say(socket.client, roomId, 'LOUDER'))).toBe('FORBIDDEN');
      await admin.client.admin.users.unmute.mutate({ userId: loud.id });
      await pause(100);
      expect(await socket.client.chat.typing.mutate({ roomId })).toEqual({ ok: true });
      expect((await say(socket.client, roomId, 'sorry')).body).toBe('sorry');
    } finally {
      await socket.close();
    }
  });

  it('a banned person’s API token socket is closed on every instance, and its calls refused', async () => {
    const admin = await signUpAdmin(server, db);
    const spammer = await signUp(server);
    const token = await spammer.client.auth.createToken.mutate({
      login: spammer.username,
      password: spammer.account.password,
      name: 'bot',
    });
    const socket = socketClient(second.url, { connectionParams: { token: token.token } });
    await socket.client.auth.me.query();
    await admin.client.admin.users.ban.mutate({ userId: spammer.id, reason: 'spam' });

    await until(async () => socket.closes.at(0), 'the socket to close');
    expect(socket.closes[0]).toBe(4401);
    await socket.close();
  });
});

describe('a database hiccup is not a verdict on a session', () => {
  it('a failed session re-check signs nobody out, and is tried again later', async () => {
    const ann = await signUp(server);
    // Her session is due for its re-check two seconds from now.
    await db.query(`update sessions set expires_at = now() + interval '2 seconds' where user_id = $1`, [
      ann.id,
    ]);
    const socket = socketClient(server.url, { headers: { cookie: ann.account.cookie } });
    const session = watchSession(socket.client);
    try {
      expect((await session.next()).type).toBe('active');
      await db.query('alter table sessions rename to sessions_away');
      try {
        await pause(3_500);
        expect(session.events.map((event) => event.type)).toEqual(['active']);
        expect(socket.closes).toEqual([]);
      } finally {
        await db.query('alter table sessions_away rename to sessions');
      }
      // Once the database answers, the re-check runs again and finds the session really has expired.
      const ended = await until(
        async () => session.events.find((event) => event.type === 'ended'),
        'the session to end',
        20_000,
      );
      expect(ended).toEqual({ type: 'ended', reason: 'expired' });
    } finally {
      session.stop();
      await socket.close();
    }
  }, 30_000);
});
