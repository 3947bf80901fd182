import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationKind, UserEvent } from '../src/server/services/notifications.ts';
import { publicRoomId } from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import { rejection } from './helpers/errors.ts';
import { type Client, makeFriends, openTab, type Person, signUp } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { pause } from './helpers/sockets.ts';
import { type Recording, record } from './helpers/subscriptions.ts';
import { roomyLimits } from './helpers/users.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: roomyLimits });
});

afterAll(async () => {
  await server?.close();
});

type NotificationEvent = Extract<UserEvent, { type: 'notification' }>;
type ReadEvent = Extract<UserEvent, { type: 'notifications.read' }>;

/** Opens the bell's live feed in a tab and waits until it is connected (its first event is the unread count). */
async function watch(client: Client): Promise<Recording<UserEvent>> {
  const feed = record<UserEvent>((handlers) => client.notifications.onEvent.subscribe(undefined, handlers));
  await feed.next(isRead);
  return feed;
}

const isRead = (event: UserEvent): event is ReadEvent => event.type === 'notifications.read';
const isFriendsChanged = (event: UserEvent) => event.type === 'friends.changed';
const notificationOf =
  (kind: NotificationKind) =>
  (event: UserEvent): event is NotificationEvent =>
    event.type === 'notification' && event.notification.kind === kind;

const unread = async (client: Client) => (await client.notifications.unreadCount.query()).count;

describe('being told about friend requests as they happen', () => {
  it('a request reaches every open tab of the person asked, and is still there after a reload', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    const firstTab = await watch(ben.client);
    const secondTab = await watch(openTab(server, ben));
    expect(firstTab.events[0]).toEqual({ type: 'notifications.read', unreadCount: 0 });
    const annFeed = await watch(ann.client);

    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    const inFirst = await firstTab.next(notificationOf('friend_request.received'));
    const inSecond = await secondTab.next(notificationOf('friend_request.received'));
    expect(inSecond).toEqual(inFirst);
    expect(inFirst.unreadCount).toBe(1);
    expect(inFirst.notification).toMatchObject({
      id: expect.any(String),
      actor: expect.objectContaining({ id: ann.id, username: ann.username, displayName: 'Ann Archer' }),
      requestId,
      requestPending: true,
      readAt: null,
    });
    expect(inFirst.notification.text).toContain('Ann Archer');
    expect(inFirst.notification.text).toMatch(/friend request/i);
    await firstTab.next(isFriendsChanged);
    await secondTab.next(isFriendsChanged);
    await annFeed.next(isFriendsChanged);

    // Reloading the page: the bell comes back from the server, not from memory.
    const reloaded = openTab(server, ben);
    const { items } = await reloaded.notifications.list.query();
    expect(items).toEqual([inFirst.notification]);
    expect(await unread(reloaded)).toBe(1);
    const reloadedFeed = await watch(reloaded);
    expect(reloadedFeed.events[0]).toEqual({ type: 'notifications.read', unreadCount: 1 });
    // The sender is not notified of their own request.
    expect(annFeed.events.filter((event) => event.type === 'notification')).toEqual([]);
    expect(await unread(ann.client)).toBe(0);
  });

  it('Ann hears when Ben accepts, and the request shows as answered in his list', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    const annFeed = await watch(ann.client);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    await ben.client.friends.accept.mutate({ requestId });

    const accepted = await annFeed.next(notificationOf('friend_request.accepted'));
    expect(accepted.notification.text).toContain('Ben Baker');
    expect(accepted.notification).toMatchObject({
      actor: expect.objectContaining({ id: ben.id }),
      requestId,
    });
    expect(accepted.unreadCount).toBe(1);
    const bens = await ben.client.notifications.list.query();
    expect(bens.items).toEqual([
      expect.objectContaining({ kind: 'friend_request.received', requestId, requestPending: false }),
    ]);
    const anns = await ann.client.notifications.list.query();
    expect(anns.items.map((n) => n.kind)).toEqual(['friend_request.accepted']);
  });

  it('Ben declines quietly, as other chat apps do: Ann’s request just leaves her list, with no notice', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    const annFeed = await watch(ann.client);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    const seen = annFeed.mark();

    await ben.client.friends.decline.mutate({ requestId });

    await annFeed.next(isFriendsChanged, seen);
    expect((await ann.client.friends.requests.query()).outgoing).toEqual([]);
    expect(await unread(ann.client)).toBe(0);
    expect((await ann.client.notifications.list.query()).items).toEqual([]);
  });

  it('Ann cancels before Ben has read it: the request’s notification is gone from his list and badge, live in every tab', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    const benFeed = await watch(ben.client);
    const benOtherTab = openTab(server, ben);
    const otherFeed = await watch(benOtherTab);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    await benFeed.next(notificationOf('friend_request.received'));
    const seen = otherFeed.mark();

    await ann.client.friends.cancelRequest.mutate({ requestId });

    const recount = await otherFeed.next(isRead, seen);
    expect(recount.unreadCount).toBe(0);
    expect(await unread(ben.client)).toBe(0);
    expect((await ben.client.notifications.list.query()).items).toEqual([]);
    expect(benFeed.events.some(notificationOf('friend_request.cancelled'))).toBe(false);
  });

  it('Ben accepts on his Requests page: the notification in his bell is read and says how it ended, in every tab', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    const benFeed = await watch(ben.client);
    const otherFeed = await watch(openTab(server, ben));
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    await benFeed.next(notificationOf('friend_request.received'));
    expect(await unread(ben.client)).toBe(1);
    const seen = otherFeed.mark();

    await ben.client.friends.accept.mutate({ requestId });

    expect((await otherFeed.next(isRead, seen)).unreadCount).toBe(0);
    expect(await unread(ben.client)).toBe(0);
    const [item] = (await ben.client.notifications.list.query()).items;
    expect(item).toMatchObject({
      kind: 'friend_request.received',
      requestPending: false,
      requestStatus: 'accepted',
      readAt: expect.any(String),
    });
  });

  it('send-then-cancel in a loop leaves Ben nothing unread', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    for (let round = 0; round < 3; round++) {
      const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
      await ann.client.friends.cancelRequest.mutate({ requestId });
    }

    expect(await unread(ben.client)).toBe(0);
    expect((await ben.client.notifications.list.query()).items).toEqual([]);
  });

  it('Ann cancels after Ben read her request: he hears she cancelled, and it no longer offers to be answered', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    const benFeed = await watch(ben.client);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    await benFeed.next(notificationOf('friend_request.received'));
    await ben.client.notifications.markRead.mutate({ all: true });

    await ann.client.friends.cancelRequest.mutate({ requestId });

    const cancelled = await benFeed.next(notificationOf('friend_request.cancelled'));
    expect(cancelled.notification.text).toContain('Ann Archer');
    expect(cancelled.unreadCount).toBe(1);
    const { items } = await ben.client.notifications.list.query();
    expect(items.map((n) => [n.kind, n.requestPending])).toEqual([
      ['friend_request.cancelled', false],
      ['friend_request.received', false],
    ]);
  });

  it('Ann removes Ben from her friends quietly: both his tabs update their friends, and his bell stays empty', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    await makeFriends(ann, ben);
    const tabs = [await watch(ben.client), await watch(openTab(server, ben))];
    const seen = tabs.map((tab) => tab.mark());

    await ann.client.friends.remove.mutate({ userId: ben.id });

    for (const [index, tab] of tabs.entries()) await tab.next(isFriendsChanged, seen[index]);
    expect((await ben.client.friends.list.query()).items).toEqual([]);
    const kinds = (await ben.client.notifications.list.query()).items.map((n) => n.kind);
    expect(kinds).not.toContain('friend.removed');
  });

  it('asking back is accepting: the first asker hears they were accepted', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server, { displayName: 'Ben Baker' });
    const annFeed = await watch(ann.client);
    await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    await ben.client.friends.sendRequest.mutate({ userId: ann.id });

    const accepted = await annFeed.next(notificationOf('friend_request.accepted'));
    expect(accepted.notification.text).toContain('Ben Baker');
  });

  it('uses the name the sender goes by now', async () => {
    const ann = await signUp(server, { displayName: 'Ann Archer' });
    const ben = await signUp(server);
    await ann.client.users.updateProfile.mutate({ displayName: 'Annie Oakley' });

    await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    const { items } = await ben.client.notifications.list.query();
    expect(items[0]?.text).toContain('Annie Oakley');
  });
});

describe('reading notifications', () => {
  it('marking read in one tab updates the count in my other tab', async () => {
    const [ann, cat] = [await signUp(server), await signUp(server)];
    const ben = await signUp(server);
    const here = openTab(server, ben);
    const thereFeed = await watch(openTab(server, ben));
    await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    await cat.client.friends.sendRequest.mutate({ userId: ben.id });
    await thereFeed.next((event) => event.type === 'notification' && event.unreadCount === 2);
    const { items } = await here.notifications.list.query();
    const fromAnn = items.find((n) => n.actor?.id === ann.id);

    const mark = thereFeed.mark();
    expect(await here.notifications.markRead.mutate({ ids: [fromAnn!.id] })).toEqual({ unreadCount: 1 });

    expect(await thereFeed.next(isRead, mark)).toEqual({ type: 'notifications.read', unreadCount: 1 });
    const afterOne = await here.notifications.list.query();
    expect(afterOne.items.find((n) => n.id === fromAnn!.id)?.readAt).toEqual(expect.any(String));
    expect(afterOne.items.find((n) => n.actor?.id === cat.id)?.readAt).toBeNull();

    const markAll = thereFeed.mark();
    expect(await here.notifications.markRead.mutate({ all: true })).toEqual({ unreadCount: 0 });

    expect(await thereFeed.next(isRead, markAll)).toEqual({ type: 'notifications.read', unreadCount: 0 });
    expect(await unread(here)).toBe(0);
    expect((await here.notifications.list.query()).items.every((n) => n.readAt !== null)).toBe(true);
  });

  it("I cannot mark someone else's notifications as read", async () => {
    const [ann, ben, eve] = [await signUp(server), await signUp(server), await signUp(server)];
    await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    const [notification] = (await ben.client.notifications.list.query()).items;

    await eve.client.notifications.markRead.mutate({ ids: [notification!.id] }).catch(() => undefined);

    expect(await unread(ben.client)).toBe(1);
    expect((await ben.client.notifications.list.query()).items[0]?.readAt).toBeNull();
  });

  it('pages through older notifications, newest first', async () => {
    const ben = await signUp(server);
    const askers: Person[] = [];
    for (let i = 0; i < 5; i++) {
      const asker = await signUp(server);
      await asker.client.friends.sendRequest.mutate({ userId: ben.id });
      askers.push(asker);
    }

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<Client['notifications']['list']['query']>> =
        await ben.client.notifications.list.query({ cursor, limit: 2 });
      seen.push(...page.items.map((n) => n.actor?.id ?? -1));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);

    expect(pages).toBe(3);
    expect(seen).toEqual(askers.map((a) => a.id).reverse());
    const everything = await ben.client.notifications.list.query();
    expect(everything.items).toHaveLength(5);
    expect(everything.nextCursor).toBeNull();
  });

  it.each([
    ['an empty list of ids', () => ({ ids: [] })],
    ['all: false', () => ({ all: false })],
  ])('markRead answers %s with BAD_REQUEST', async (_, input) => {
    const me = await signUp(server);
    const error = await rejection(
      me.client.notifications.markRead.mutate(
        input() as Parameters<Client['notifications']['markRead']['mutate']>[0],
      ),
    );
    expect(error.data?.code).toBe('BAD_REQUEST');
  });

  it('list answers a made-up cursor with BAD_REQUEST', async () => {
    const me = await signUp(server);
    const error = await rejection(me.client.notifications.list.query({ cursor: 'yesterday' }));
    expect(error.data?.code).toBe('BAD_REQUEST');
  });
});

describe('a tab that opens while news is on its way', () => {
  it('gets its unread count first, then what happened while the count was read: nothing lost, nothing ahead', async () => {
    const ann = await signUp(server, { displayName: 'Ann Early' });
    const roomId = await publicRoomId(ann.client);
    const db = await connectDatabase(server.databaseUrl);
    try {
      // The new tab's count waits behind this lock, so news can arrive between its joining and its count.
      await db.query('begin');
      await db.query('lock table notifications in access exclusive mode');
      const feed = record<UserEvent>((handlers) =>
        ann.client.notifications.onEvent.subscribe(undefined, handlers),
      );
      while ((await countsWaiting(db)) === 0) await pause(10);

      await openTab(server, ann).chat.setRoomMuted.mutate({ roomId, muted: true });
      await db.query('commit');

      await feed.next((event) => event.type === 'room.muted');
      expect(feed.events).toEqual([
        { type: 'notifications.read', unreadCount: 0 },
        { type: 'room.muted', roomId, muted: true },
      ]);
      feed.stop();
    } finally {
      await db.end();
    }
  });
});

/**
 * Sessions waiting for a lock in this database: only the test holds one. (A statement prepared while the lock is
 * held waits while it is parsed, before it shows as running: its query text there is the one before.)
 */
async function countsWaiting(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ waiting: number }>(
    `select count(*)::int as waiting from pg_stat_activity
      where wait_event_type = 'Lock' and datname = current_database() and pid <> pg_backend_pid()`,
  );
  return rows[0]?.waiting ?? 0;
}

describe('signed out', () => {
  it.each([
    ['list', () => server.client().notifications.list.query()],
    ['unreadCount', () => server.client().notifications.unreadCount.query()],
    ['markRead', () => server.client().notifications.markRead.mutate({ all: true })],
  ])('notifications.%s answers UNAUTHORIZED', async (_, call) => {
    expect((await rejection(call())).data?.code).toBe('UNAUTHORIZED');
  });

  it('the live feed answers UNAUTHORIZED', async () => {
    const guest = server.client();
    const feed = record<UserEvent>((handlers) => guest.notifications.onEvent.subscribe(undefined, handlers));

    const error = await feed.failure;

    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(feed.events).toEqual([]);
  });
});

describe('two instances of Parley behind one load balancer', () => {
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    const redisPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
    first = await startTestServer({ env: roomyLimits, redisPrefix });
    second = await startTestServer({ env: roomyLimits, redisPrefix, databaseUrl: first.databaseUrl });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('a request sent through one instance reaches the tab connected to the other', async () => {
    const ann = await signUp(first, { displayName: 'Ann on One' });
    const ben = await signUp(first, { displayName: 'Ben on Two' });
    const bensTab = second.client({ cookie: ben.account.cookie });
    const bensFeed = await watch(bensTab);

    await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    const received = await bensFeed.next(notificationOf('friend_request.received'));
    expect(received.notification.text).toContain('Ann on One');
    expect(received.unreadCount).toBe(1);
    await bensFeed.next(isFriendsChanged);

    // And reading on the first instance clears the bell on the second.
    const mark = bensFeed.mark();
    await ben.client.notifications.markRead.mutate({ all: true });
    expect(await bensFeed.next(isRead, mark)).toEqual({ type: 'notifications.read', unreadCount: 0 });
  });
});
