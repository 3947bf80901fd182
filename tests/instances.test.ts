import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createParleyClient, type ParleyConnection } from '../src/sdk/index.ts';
import {
  chattyLimits,
  followRoom,
  isTyping,
  newClientId,
  openRoom,
  people,
  privateRoomOf,
  publicRoomId,
  received,
  say,
  storedCopies,
  type UserEvent,
  untilConnected,
  untilLive,
  watchActivity,
  watchUserEvents,
} from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import type { ParleyError } from './helpers/errors.ts';
import { spawnInstance } from './helpers/instance-process.ts';
import { type Client, makeFriends, type Person } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { pause, socketClient, watchSession } from './helpers/sockets.ts';

// Two instances of one deployment: one database, one Redis prefix. People register on A and use either.
const redisPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
let a: TestServer;
let b: TestServer;
let db: pg.Client;
let connections: ParleyConnection[] = [];

beforeAll(async () => {
  a = await startTestServer({ env: chattyLimits, redisPrefix });
  b = await startTestServer({ env: chattyLimits, databaseUrl: a.databaseUrl, redisPrefix });
  db = await connectDatabase(a.databaseUrl);
});

afterEach(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  connections = [];
});

afterAll(async () => {
  await db?.end();
  await b?.close();
  await a?.close();
});

/** A tab on `instance`, signed in as `person` (or a visitor's, without one); its socket closes after the test. */
function tabOn(instance: TestServer, person: Person | null): Client {
  const connection = instance.connect(person ? { cookie: person.account.cookie } : {});
  connections.push(connection);
  return connection.client;
}

/** The public room's activity on `instance`, as a visitor (who is not counted) sees it. */
async function publicActivityOn(instance: TestServer) {
  const client = tabOn(instance, null);
  const activity = watchActivity(client, await publicRoomId(client));
  await activity.next(() => true);
  return activity;
}

const friendPresence = (userId: number, online: boolean) => (event: UserEvent) =>
  event.type === 'friend.presence' && event.userId === userId && event.online === online;

describe('messages across instances', () => {
  it('a message sent through A reaches a reader on B with the same tracked id; an edit through B reaches A', async () => {
    const [ann, ben] = await people(a, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const onA = await openRoom(tabOn(a, ben), room.id);
    const onB = await openRoom(tabOn(b, ben), room.id);

    const sent = await say(tabOn(a, ann), room.id, 'Sent through A');

    const created = { id: String(sent.seq), data: { type: 'message.created', message: sent } };
    expect(await received(onB, 1)).toEqual([created]);
    expect(await received(onA, 1)).toEqual([created]);

    const edited = await tabOn(b, ann).chat.edit.mutate({ messageId: sent.id, body: 'Edited through B' });

    const change = { id: String(sent.seq + 1), data: { type: 'message.edited', message: edited } };
    expect(await received(onA, 1, 1)).toEqual([change]);
    expect(await received(onB, 1, 1)).toEqual([change]);
  });

  it('a reader who opens the room on B just as a message is sent through A still gets it', async () => {
    const [ann, ben] = await people(a, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const annOnA = tabOn(a, ann);
    const benOnB = tabOn(b, ben);

    for (let round = 0; round < 10; round++) {
      const { items } = await benOnB.chat.history.query({ roomId: room.id, limit: 1 });
      const reader = followRoom(benOnB, room.id, String(items[0]?.seq ?? 0));
      const sent = await say(annOnA, room.id, `round ${round}`);
      expect(await received(reader, 1)).toEqual([
        { id: String(sent.seq), data: { type: 'message.created', message: sent } },
      ]);
      reader.stop();
    }
  });

  it('the same clientId sent through both instances is stored once, and both answer with it', async () => {
    const [ann] = await people(a, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const clientId = newClientId();

    const [viaA, viaB] = await Promise.all([
      say(tabOn(a, ann), roomId, 'Once only', clientId),
      say(tabOn(b, ann), roomId, 'Once only', clientId),
    ]);
    const retryViaB = await say(tabOn(b, ann), roomId, 'Once only', clientId);

    expect(viaB).toEqual(viaA);
    expect(retryViaB).toEqual(viaA);
    expect(await storedCopies(db, ann.id, clientId)).toBe(1);
  });

  it('typing through A shows to the other member on B', async () => {
    const [ann, ben] = await people(a, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const activityOnB = watchActivity(tabOn(b, ben), room.id);

    await untilLive(activityOnB, () => tabOn(a, ann).chat.typing.mutate({ roomId: room.id }));

    expect(await activityOnB.next(isTyping)).toMatchObject({ roomId: room.id, user: { id: ann.id } });
  });
});

describe('credentials across instances', () => {
  // Each instance remembers the credentials calls came with; an ending reaches the others over the bus within
  // moments (the 60 s the memory would otherwise last is far beyond these tests' patience).
  async function refusedSoon(call: () => Promise<unknown>): Promise<string | undefined> {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const code = await call().then(
        () => undefined,
        (error: ParleyError) => error.data?.code,
      );
      if (code || Date.now() > deadline) return code;
      await pause(20);
    }
  }

  it('a token revoked through A is refused on B, though B let it in a moment before', async () => {
    const [ann] = await people(a, 'Ann');
    const { account } = ann;
    const { id, token } = await a
      .client()
      .auth.createToken.mutate({ login: account.username, password: account.password, name: 'nightly' });
    const scriptOnB = createParleyClient({ url: b.url, token });
    expect((await scriptOnB.auth.me.query())?.id).toBe(ann.id);

    await ann.client.auth.tokens.revoke.mutate({ id });

    expect(await refusedSoon(() => scriptOnB.auth.me.query())).toBe('UNAUTHORIZED');
  });

  it('signing out through A signs that browser out on B too', async () => {
    const [bob] = await people(a, 'Bob');
    const tabOnB = b.client({ cookie: bob.account.cookie });
    expect((await tabOnB.auth.me.query())?.id).toBe(bob.id);

    await bob.client.auth.logout.mutate();

    expect(await refusedSoon(() => tabOnB.chat.rooms.query())).toBe('UNAUTHORIZED');
    expect(await tabOnB.auth.me.query()).toBeNull();
  });
});

describe('unread across instances', () => {
  it('my tab on B hears of a new message and of a read made through A, with the same unread count', async () => {
    const [ann, ben] = await people(a, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const annsTabOnB = await watchUserEvents(tabOn(b, ann));

    const first = await say(ben.client, room.id, 'one');
    await say(ben.client, room.id, 'two');
    await annsTabOnB.next((event) => event.type === 'room.changed' && event.roomId === room.id);
    const read = await tabOn(a, ann).chat.markRead.mutate({ roomId: room.id, seq: first.seq });

    expect(read.unread).toBe(1);
    expect(await annsTabOnB.next((event) => event.type === 'room.read')).toMatchObject({
      type: 'room.read',
      roomId: room.id,
      unread: 1,
    });
    const listedOnB = await tabOn(b, ann).chat.rooms.query();
    expect(listedOnB.find((listed) => listed.id === room.id)?.unread).toBe(1);
  });
});

describe('presence across instances', () => {
  it('someone on A and someone on B: both instances count 2, and both see one leave', async () => {
    const [ann, ben] = await people(a, 'Ann', 'Ben');
    const countOnA = await publicActivityOn(a);
    const countOnB = await publicActivityOn(b);
    await untilConnected(countOnA, 0);
    await untilConnected(countOnB, 0);

    const annsTab = a.connect({ cookie: ann.account.cookie });
    connections.push(annsTab);
    await watchUserEvents(annsTab.client);
    await watchUserEvents(tabOn(b, ben));

    await untilConnected(countOnA, 2);
    await untilConnected(countOnB, 2);

    await annsTab.close();

    await untilConnected(countOnA, 1);
    await untilConnected(countOnB, 1);
  });

  it('a friend on B hears when I come online on A and go again', async () => {
    const [ann, ben] = await people(a, 'Ann', 'Ben');
    await makeFriends(ann, ben);
    const bensFeedOnB = await watchUserEvents(tabOn(b, ben));

    const annsTab = a.connect({ cookie: ann.account.cookie });
    connections.push(annsTab);
    await watchUserEvents(annsTab.client);

    await bensFeedOnB.next(friendPresence(ann.id, true));
    const listedOnB = await tabOn(b, ben).friends.list.query();
    expect(listedOnB.items).toEqual([expect.objectContaining({ id: ann.id, online: true })]);
    const mark = bensFeedOnB.mark();
    await annsTab.close();
    await bensFeedOnB.next(friendPresence(ann.id, false), mark);
    const relistedOnB = await tabOn(b, ben).friends.list.query();
    expect(relistedOnB.items).toEqual([expect.objectContaining({ id: ann.id, online: false })]);
  });

  it("an instance that goes away takes its people with it within seconds, on every other instance's count", async () => {
    const [ann, cat] = await people(a, 'Ann', 'Cat');
    await makeFriends(ann, cat);
    const third = await startTestServer({ env: chattyLimits, databaseUrl: a.databaseUrl, redisPrefix });
    const countOnA = await publicActivityOn(a);
    await untilConnected(countOnA, 0);
    const annsFeed = await watchUserEvents(tabOn(a, ann));
    // Cat's socket is opened here, not through `third`, so closing `third` is only its app.close().
    const catsSocket = socketClient(third.url, { headers: { cookie: cat.account.cookie } });
    try {
      await watchSession(catsSocket.client).next();
      await untilConnected(countOnA, 2);
      await annsFeed.next(friendPresence(cat.id, true));

      await third.close();

      await untilConnected(countOnA, 1);
      await annsFeed.next(friendPresence(cat.id, false));
      const { items } = await ann.client.friends.list.query();
      expect(items).toEqual([expect.objectContaining({ id: cat.id, online: false })]);
    } finally {
      await catsSocket.close();
    }
  });

  it('an instance killed outright drops its people once its heartbeat is missed', {
    timeout: 60_000,
  }, async () => {
    const [ann, cat] = await people(a, 'Ann', 'Cat');
    await makeFriends(ann, cat);
    const doomed = await spawnInstance(a.databaseUrl, redisPrefix, chattyLimits);
    const countOnA = await publicActivityOn(a);
    await untilConnected(countOnA, 0);
    const annsFeed = await watchUserEvents(tabOn(a, ann));
    const catsSocket = socketClient(doomed.url, { headers: { cookie: cat.account.cookie } });
    try {
      await watchSession(catsSocket.client).next();
      await untilConnected(countOnA, 2);

      await doomed.kill();

      // An instance that stops beating is forgotten after 15 s; another instance's sweep notices within 5 s more.
      await untilConnected(countOnA, 1, 30_000);
      await annsFeed.next(friendPresence(cat.id, false), 0, 5_000);
      const { items } = await ann.client.friends.list.query();
      expect(items).toEqual([expect.objectContaining({ id: cat.id, online: false })]);
    } finally {
      await catsSocket.close();
      await doomed.kill();
    }
  });
});
