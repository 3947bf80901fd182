import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyConnection } from '../src/sdk/index.ts';
import {
  type Activity,
  chattyLimits,
  connectedNow,
  followRoom,
  isPresence,
  isTyping,
  openRoom,
  people,
  privateRoomOf,
  publicRoomId,
  type RoomEvent,
  received,
  refusalOf,
  say,
  sayEach,
  storedState,
  type UserEvent,
  until,
  untilConnected,
  untilLive,
  watchActivity,
  watchUserEvents,
} from './helpers/chat.ts';
import { rejection } from './helpers/errors.ts';
import { makeFriends, openTab, type Person, signUp } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { serverSuite } from './helpers/server-suite.ts';
import { pause, socketUrl, upgrade } from './helpers/sockets.ts';

const suite = serverSuite({ env: chattyLimits });

/** What a list of events says happened, in a form that reads well in a failure. */
const summary = (events: readonly RoomEvent[]) =>
  events.map((event) => [event.id, event.data.type, event.data.message.id]);

const positions = (events: readonly RoomEvent[]) => events.map((event) => Number(event.id));
const countingFrom = (first: number, length: number) => Array.from({ length }, (_, i) => first + i);

describe('following a room', () => {
  it('a new message reaches every open tab of both members, exactly as history then returns it', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const tabs = await Promise.all([
      openRoom(ann.client, room.id),
      openRoom(ben.client, room.id),
      openRoom(openTab(suite.server, ben), room.id),
    ]);

    const sent = await say(ann.client, room.id, 'Hi **Ben**');

    for (const tab of tabs) {
      expect(await received(tab, 1)).toEqual([
        { id: String(sent.seq), data: { type: 'message.created', message: sent } },
      ]);
    }
    const { items } = await ben.client.chat.history.query({ roomId: room.id });
    expect(items).toEqual([sent]);
  });

  describe('when the database is slow to commit', () => {
    // Every room event now waits 300 ms inside its commit, after all its statements ran.
    beforeAll(async () => {
      await suite.db.query(`create function test_slow_commit() returns trigger language plpgsql as
        $$ begin perform pg_sleep(0.3); return null; end $$`);
      await suite.db.query(`create constraint trigger test_slow_commit after insert on room_events
        deferrable initially deferred for each row execute function test_slow_commit()`);
    });

    afterAll(async () => {
      await suite.db.query('drop trigger test_slow_commit on room_events');
      await suite.db.query('drop function test_slow_commit');
    });

    it('a message is only published once committed: whoever hears of it can load it at once', async () => {
      const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
      const room = await privateRoomOf(ann, ben);
      const tab = await openRoom(ben.client, room.id);

      const sending = say(ann.client, room.id, 'Can you see me yet?');
      const [heard] = await received(tab, 1);
      const { items } = await ben.client.chat.history.query({ roomId: room.id });

      expect(items.map((message) => message.id)).toEqual([heard!.data.message.id]);
      expect(await sending).toEqual(heard!.data.message);
    });
  });

  it('edits and deletions reach every open subscriber live, each taking the next position', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const roomId = await publicRoomId(ann.client);
    const tabs = await Promise.all([
      openRoom(ann.client, roomId),
      openRoom(ben.client, roomId),
      openRoom(suite.server.client(), roomId),
    ]);

    const sent = await say(ann.client, roomId, 'Helo');
    const edited = await ann.client.chat.edit.mutate({ messageId: sent.id, body: 'Hello' });
    const deleted = await ann.client.chat.delete.mutate({ messageId: sent.id });

    expect(edited).toMatchObject({ body: 'Hello', editedAt: expect.any(String) });
    expect(deleted).toMatchObject({ body: '', deletedAt: expect.any(String) });
    for (const tab of tabs) {
      await tab.next((event) => event.data.type === 'message.deleted' && event.data.message.id === sent.id);
      const aboutIt = tab.events.filter((event) => event.data.message.id === sent.id);
      expect(aboutIt).toEqual([
        { id: String(sent.seq), data: { type: 'message.created', message: sent } },
        { id: String(sent.seq + 1), data: { type: 'message.edited', message: edited } },
        { id: String(sent.seq + 2), data: { type: 'message.deleted', message: deleted } },
      ]);
    }
    const { items } = await ben.client.chat.history.query({ roomId });
    expect(items.find((message) => message.id === sent.id)).toEqual(deleted);
  });

  it('without lastEventId the stream starts live: nothing from before, then every new event in order', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const earlier = await sayEach(ann.client, room.id, ['earlier one', 'earlier two']);

    const tab = followRoom(ben.client, room.id);
    await untilLive(tab, () => say(ann.client, room.id, 'Are you there?'));
    const after = await sayEach(ann.client, room.id, ['after one', 'after two']);

    await tab.next((event) => event.data.message.id === after[1]!.id);
    expect(Number(tab.events[0]!.id)).toBeGreaterThan(earlier[1]!.seq);
    expect(positions(tab.events)).toEqual(countingFrom(Number(tab.events[0]!.id), tab.events.length));
    expect(summary(tab.events.slice(-2))).toEqual(
      after.map((message) => [String(message.seq), 'message.created', message.id]),
    );
  });

  it('a tab that comes back with the last id it saw gets exactly what it missed, in order, then live', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const before = followRoom(ben.client, room.id, '0');
    const [one, two] = await sayEach(ann.client, room.id, ['one', 'two', 'three']);
    const seen = await received(before, 3);
    expect(seen.map((event) => event.id)).toEqual(['1', '2', '3']);
    before.stop();

    // While Ben's tab is away:
    const four = await say(ann.client, room.id, 'four');
    const five = await say(ben.client, room.id, 'five');
    const oneEdited = await ann.client.chat.edit.mutate({ messageId: one!.id, body: 'one, edited' });
    const twoDeleted = await ann.client.chat.delete.mutate({ messageId: two!.id });
    const six = await say(ann.client, room.id, 'six');

    const back = followRoom(ben.client, room.id, seen.at(-1)!.id);
    const missed = await received(back, 5);
    const seven = await say(ann.client, room.id, 'seven');
    await received(back, 1, 5);

    expect(summary(missed)).toEqual([
      ['4', 'message.created', four.id],
      ['5', 'message.created', five.id],
      ['6', 'message.edited', one!.id],
      ['7', 'message.deleted', two!.id],
      ['8', 'message.created', six.id],
    ]);
    expect(missed[2]!.data.message).toEqual(oneEdited);
    expect(missed[3]!.data.message).toEqual(twoDeleted);
    expect([four, five, six, seven].map((message) => message.seq)).toEqual([4, 5, 8, 9]);
    expect(back.events.at(-1)).toEqual({ id: '9', data: { type: 'message.created', message: seven } });
    expect(positions(back.events)).toEqual(countingFrom(4, 6));
  });

  it('messages sent while a tab resumes come once each: no gap and no duplicate at the seam', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    await sayEach(ann.client, room.id, ['one', 'two', 'three']);

    const back = followRoom(ben.client, room.id, '2');
    const during = await Promise.all(
      Array.from({ length: 8 }, (_, i) => say((i % 2 ? ann : ben)!.client, room.id, `during ${i}`)),
    );
    const last = await say(ann.client, room.id, 'last');
    await back.next((event) => event.data.message.id === last.id);

    expect(positions(back.events)).toEqual(countingFrom(3, 10));
    expect(back.events.map((event) => event.data.message.id)).toContain(during[7]!.id);
  });

  it('a tab far behind catches up on a long log while the room keeps talking: every event once, in order', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    // More than a page of backlog (the server reads 500 at a time), so catching up takes a while.
    const backlog = 520;
    for (let batch = 0; batch < backlog / 40; batch++) {
      await Promise.all(Array.from({ length: 40 }, () => say(ann.client, room.id, 'backlog')));
    }
    const bensTab = openTab(suite.server, ben);
    await watchUserEvents(bensTab); // the tab's socket is open
    let talking = true;
    const conversation = Promise.all(
      [ann, ben, ann, ben, ann, ben].map(async (writer) => {
        while (talking) await say(writer.client, room.id, 'meanwhile');
      }),
    );
    await until(
      async () => Number((await storedState(suite.db, room.id))?.messages) > backlog + 20 || undefined,
      'talk',
    );

    const catchingUp = followRoom(bensTab, room.id, '0');
    await catchingUp.next(() => catchingUp.events.length > backlog + 60, 0, 15_000);
    talking = false;
    await conversation;
    const last = await say(ann.client, room.id, 'last');
    await catchingUp.next((event) => event.data.message.id === last.id, backlog, 10_000);

    expect(positions(catchingUp.events)).toEqual(countingFrom(1, last.seq));
  });

  it("resuming from '0' replays the room's whole log, then goes on live", async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const [first, second] = await sayEach(ann.client, room.id, ['first', 'second']);
    await ben.client.chat.edit.mutate({
      messageId: (await say(ben.client, room.id, 'thrid')).id,
      body: 'third',
    });
    await ann.client.chat.delete.mutate({ messageId: second!.id });

    const replay = followRoom(ben.client, room.id, '0');
    const log = await received(replay, 5);
    const live = await say(ann.client, room.id, 'live');
    await received(replay, 1, 5);

    expect(log.map((event) => [event.id, event.data.type])).toEqual([
      ['1', 'message.created'],
      ['2', 'message.created'],
      ['3', 'message.created'],
      ['4', 'message.edited'],
      ['5', 'message.deleted'],
    ]);
    expect(log[0]!.data.message).toEqual(first);
    expect(replay.events).toHaveLength(6);
    expect(replay.events[5]).toEqual({ id: '6', data: { type: 'message.created', message: live } });
  });

  it('a lastEventId that is not a position is refused with BAD_REQUEST', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);

    expect(await refusalOf(followRoom(ann.client, roomId, 'abc'))).toBe('BAD_REQUEST');
  });

  it("on the wire each event is tRPC's tracked frame: the position as its id, { type, message } as its data", async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const { socket } = await upgrade(socketUrl(suite.server.url), { cookie: ben.account.cookie });
    const frames: unknown[] = [];
    socket!.on('message', (data) => frames.push(JSON.parse(String(data))));
    socket!.send(
      JSON.stringify({
        id: 7,
        method: 'subscription',
        params: { path: 'chat.onRoomEvent', input: { roomId: room.id, lastEventId: '0' } },
      }),
    );

    const sent = await say(ann.client, room.id, 'Over the wire');

    const isData = (frame: unknown) => (frame as { result?: { type?: string } }).result?.type === 'data';
    await expect.poll(() => frames.filter(isData).length).toBe(1);
    expect(frames.find(isData)).toEqual({
      id: 7,
      result: {
        type: 'data',
        id: String(sent.seq),
        data: { id: String(sent.seq), data: { type: 'message.created', message: sent } },
      },
    });
    socket!.close();
  });

  it('a visitor who is not signed in may follow the public room', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const visitorTab = await openRoom(suite.server.client(), roomId);

    const sent = await say(ann.client, roomId, 'Hello, whoever is reading');

    expect(await visitorTab.next((event) => event.data.message.id === sent.id)).toEqual({
      id: String(sent.seq),
      data: { type: 'message.created', message: sent },
    });
  });
});

describe('typing', () => {
  it("Ann's typing shows in Ben's view of their room, and nothing about it is stored", async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const stored = await storedState(suite.db, room.id);
    const activity = watchActivity(ben.client, room.id);

    await untilLive(activity, () => ann.client.chat.typing.mutate({ roomId: room.id }));

    const typing = await activity.next(isTyping);
    expect(typing).toMatchObject({
      type: 'typing',
      roomId: room.id,
      user: { id: ann.id, username: ann.username, displayName: 'Ann' },
    });
    const expiresIn = Date.parse(typing.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThan(60_000);
    expect(await storedState(suite.db, room.id)).toEqual(stored);
    expect((await ben.client.chat.history.query({ roomId: room.id })).items).toEqual([]);
  });

  it('two people typing at the same moment both show, once each, in every tab watching the room', async () => {
    const [ann, ben, cat, dan] = await people(suite.server, 'Ann', 'Ben', 'Cat', 'Dan');
    const roomId = await publicRoomId(ann.client);
    const tabs = [watchActivity(ben.client, roomId), watchActivity(openTab(suite.server, ben), roomId)];
    for (const tab of tabs) await untilLive(tab, () => dan.client.chat.typing.mutate({ roomId }));
    const marks = tabs.map((tab) => tab.mark());

    await Promise.all([ann.client.chat.typing.mutate({ roomId }), cat.client.chat.typing.mutate({ roomId })]);

    for (const [i, tab] of tabs.entries()) {
      const by = (person: Person) => (event: Activity) => isTyping(event) && event.user.id === person.id;
      await Promise.all([tab.next(by(ann), marks[i]), tab.next(by(cat), marks[i])]);
      const typists = tab.events
        .slice(marks[i])
        .filter((event) => isTyping(event) && [ann.id, cat.id].includes(event.user.id));
      expect(typists).toHaveLength(2);
    }
  });

  it('someone outside a private room can neither type in it nor watch it: FORBIDDEN', async () => {
    const [ann, ben, cat] = await people(suite.server, 'Ann', 'Ben', 'Cat');
    const room = await privateRoomOf(ann, ben);

    expect((await rejection(cat.client.chat.typing.mutate({ roomId: room.id }))).data?.code).toBe(
      'FORBIDDEN',
    );
    expect(await refusalOf(watchActivity(cat.client, room.id))).toBe('FORBIDDEN');
  });
});

describe('unread, across my tabs', () => {
  it('marking a room read in one tab gives my other tabs the new unread count', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const sent = await sayEach(ben.client, room.id, ['one', 'two', 'three']);
    const otherTab = await watchUserEvents(openTab(suite.server, ann));

    const result = await ann.client.chat.markRead.mutate({ roomId: room.id, seq: sent[1]!.seq });

    expect(result.unread).toBe(1);
    const pushed = await otherTab.next((event) => event.type === 'room.read');
    expect(pushed).toMatchObject({ type: 'room.read', roomId: room.id, unread: 1 });
  });

  it("a friend's new message tells my tabs what changed in the room, so they need not ask again", async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const tab = await watchUserEvents(ann.client);

    const sent = await say(ben.client, room.id, 'News');
    expect(await tab.next((event) => event.type === 'room.changed')).toEqual({
      type: 'room.changed',
      roomId: room.id,
      event: { position: sent.seq, type: 'message.created', message: sent },
      unread: 1,
      readSeq: 0,
    });

    const edited = await ben.client.chat.edit.mutate({ messageId: sent.id, body: 'Old news' });
    const change = await tab.next(
      (event) => event.type === 'room.changed' && event.event?.type === 'message.edited',
    );
    expect(change).toMatchObject({ event: { message: { id: sent.id, body: 'Old news' } } });
    expect(edited.body).toBe('Old news');
  });
});

describe('presence', () => {
  // Its own server: every socket open anywhere on a server counts.
  let here: TestServer;
  let publicId: number;
  let connections: ParleyConnection[] = [];

  beforeAll(async () => {
    here = await startTestServer({ env: chattyLimits });
    publicId = await publicRoomId(here.client());
  });

  afterEach(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    connections = [];
  });

  afterAll(async () => {
    await here?.close();
  });

  /** A tab of `person` with its socket open (its live feed has answered); closed after the test at the latest. */
  async function openSocket(person: Person) {
    const connection = here.connect({ cookie: person.account.cookie });
    connections.push(connection);
    const feed = await watchUserEvents(connection.client);
    return { feed, close: () => connection.close() };
  }

  /** The public room's activity, as a visitor (who is not counted) sees it. */
  async function watchPublicRoom() {
    const visitor = here.connect();
    connections.push(visitor);
    const activity = watchActivity(visitor.client, publicId);
    await activity.next(isPresence);
    return activity;
  }

  it('the public room first says how many are here: each signed-in person once, visitors not at all', async () => {
    const [ann, ben] = await Promise.all([signUp(here), signUp(here)]);
    const activity = await watchPublicRoom();
    expect(activity.events[0]).toEqual({ type: 'presence', roomId: publicId, connected: 0 });

    await openSocket(ann);
    await untilConnected(activity, 1);
    await openSocket(ann);
    await openSocket(ben);
    await untilConnected(activity, 2);

    const presence = activity.events.filter(isPresence).map((event) => event.connected);
    expect(Math.max(...presence)).toBe(2);
    const later = await watchPublicRoom();
    expect(later.events[0]).toMatchObject({ type: 'presence', connected: 2 });
  });

  it("the count drops when someone's last socket closes, not before", async () => {
    const [ann, ben] = await Promise.all([signUp(here), signUp(here)]);
    const activity = await watchPublicRoom();
    await untilConnected(activity, 0);
    const annsLaptop = await openSocket(ann);
    const annsPhone = await openSocket(ann);
    await openSocket(ben);
    await untilConnected(activity, 2);

    await annsLaptop.close();
    // Presence changes are debounced (300 ms); a wrong drop would have been announced by now.
    await pause(1_000);
    expect(connectedNow(activity)).toBe(2);

    await annsPhone.close();
    await untilConnected(activity, 1);
  });

  it('friends see each other online in their list, and hear when they come and go; others do not', async () => {
    const [ann, ben, cat] = await Promise.all([signUp(here), signUp(here), signUp(here)]);
    await makeFriends(ann, ben);
    const bensFeed = (await openSocket(ben)).feed;
    const catsFeed = (await openSocket(cat)).feed;
    const annOnline = async () =>
      (await ben.client.friends.list.query()).items.find((friend) => friend.id === ann.id)?.online;
    expect(await annOnline()).toBe(false);

    const annsTab = await openSocket(ann);

    const isAnn = (online: boolean) => (event: UserEvent) =>
      event.type === 'friend.presence' && event.userId === ann.id && event.online === online;
    await bensFeed.next(isAnn(true));
    expect(await annOnline()).toBe(true);
    const { items } = await ann.client.friends.list.query();
    expect(items).toEqual([expect.objectContaining({ id: ben.id, online: true })]);

    const mark = bensFeed.mark();
    await annsTab.close();

    await bensFeed.next(isAnn(false), mark);
    expect(await annOnline()).toBe(false);
    expect(catsFeed.events.filter((event) => event.type === 'friend.presence')).toEqual([]);
  });
});
