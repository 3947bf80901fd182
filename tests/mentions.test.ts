import { describe, expect, it } from 'vitest';
import type { Deps } from '../src/server/deps.ts';
import { appendMentioning } from '../src/server/services/chat/mentions.ts';
import {
  chattyLimits,
  followRoom,
  people,
  privateRoomOf,
  publicRoomId,
  say,
  storedState,
  until,
  watchUserEvents,
} from './helpers/chat.ts';
import { rejection } from './helpers/errors.ts';
import { loggedOrm } from './helpers/logged-orm.ts';
import type { Client, Person } from './helpers/people.ts';
import { serverSuite } from './helpers/server-suite.ts';

const mentionsPerMessage = 3;

const suite = serverSuite({
  env: { ...chattyLimits, MENTIONS_PER_MESSAGE: String(mentionsPerMessage) },
});

const shown = (person: Person) => expect.objectContaining({ id: person.id, username: person.username });

async function roomOf(client: Client, roomId: number) {
  const room = (await client.chat.rooms.query()).find((candidate) => candidate.id === roomId);
  if (!room) throw new Error(`Room ${roomId} is not listed`);
  return room;
}

async function mentionNotifications(client: Client) {
  const { items } = await client.notifications.list.query({});
  return items.filter((item) => item.kind === 'message.mention');
}

async function storedMentions(messageId: string): Promise<number[]> {
  const { rows } = await suite.db.query<{ user_id: number }>(
    'select user_id from message_mentions where message_id = $1 order by user_id',
    [messageId],
  );
  return rows.map((row) => row.user_id);
}

describe('mentioning someone in the public room', () => {
  it('a script writing a plain "@name" mentions them: stored by id, counted, in the bell, read away', async () => {
    const [ann, bob] = await people(suite.server, 'Ann', 'Bob');
    const roomId = await publicRoomId(ann.client);
    const bobsFeed = await watchUserEvents(bob.client);

    const message = await say(ann.client, roomId, `lunch, @${bob.username}?`);
    expect(message.mentions).toEqual([shown(bob)]);
    expect(await storedMentions(message.id)).toEqual([bob.id]);

    const bell = await bobsFeed.next((event) => event.type === 'notification');
    expect(bell).toMatchObject({
      notification: {
        kind: 'message.mention',
        text: 'Ann mentioned you in the public room: “lunch, @Bob?”',
        actor: { id: ann.id },
        message: { id: message.id, roomId, seq: message.seq },
      },
    });
    expect(await roomOf(bob.client, roomId)).toMatchObject({ mentions: 1 });
    expect(await roomOf(ann.client, roomId)).toMatchObject({ mentions: 0 });

    const beforeReading = bobsFeed.mark();
    const read = await bob.client.chat.markRead.mutate({ roomId, seq: message.seq });
    expect(read).toMatchObject({ mentions: 0, unread: 0 });
    expect(await roomOf(bob.client, roomId)).toMatchObject({ mentions: 0 });
    // Reading the message read its notice: the bell (and the tab's title) stop counting it.
    expect(await bobsFeed.next((event) => event.type === 'notifications.read', beforeReading)).toEqual({
      type: 'notifications.read',
      unreadCount: 0,
    });
    expect((await mentionNotifications(bob.client))[0]?.readAt).not.toBeNull();
  });

  it('shows the person as they are now: a new display name reaches old mentions', async () => {
    const [ann, bob] = await people(suite.server, 'Ann', 'Bob');
    const roomId = await publicRoomId(ann.client);
    const message = await say(ann.client, roomId, `thanks @${bob.username}!`);
    await bob.client.users.updateProfile.mutate({ displayName: 'Robert' });
    const { items } = await ann.client.chat.history.query({ roomId, limit: 5 });
    const stored = items.find((item) => item.id === message.id);
    expect(stored?.mentions).toEqual([expect.objectContaining({ id: bob.id, displayName: 'Robert' })]);
  });

  it('names nobody for @everyone, @here, an email address or someone who does not exist', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const message = await say(
      ann.client,
      roomId,
      '@everyone @here write to ann@example.com or @nobody_at_all',
    );
    expect(message.mentions).toEqual([]);
    expect(await storedMentions(message.id)).toEqual([]);
  });

  it('someone who blocked the sender is not mentioned: no record, no count, no bell', async () => {
    const [ann, cat] = await people(suite.server, 'Ann', 'Cat');
    await cat.client.friends.block.mutate({ userId: ann.id });
    const roomId = await publicRoomId(ann.client);
    const message = await say(ann.client, roomId, `hey @${cat.username}`);
    expect(message.mentions).toEqual([]);
    expect(await roomOf(cat.client, roomId)).toMatchObject({ mentions: 0 });
    expect(await mentionNotifications(cat.client)).toEqual([]);
  });
});

describe('who can be mentioned in a private room', () => {
  it('only its two members; the live event carries the mention, and an outsider named stays text', async () => {
    const [ann, bob, cat] = await people(suite.server, 'Ann', 'Bob', 'Cat');
    const room = await privateRoomOf(ann, bob);
    const events = followRoom(bob.client, room.id, '0');
    const message = await say(ann.client, room.id, `@${bob.username} and @${cat.username}, see this`);
    expect(message.mentions).toEqual([shown(bob)]);
    const live = await events.next((event) => event.data.message.id === message.id);
    expect(live.data.message.mentions).toEqual([shown(bob)]);
    events.stop();
    expect(await roomOf(bob.client, room.id)).toMatchObject({ unread: 1, mentions: 1 });
    await until(
      async () => ((await mentionNotifications(bob.client)).length === 1 ? true : undefined),
      'the bell',
    );
    expect(await mentionNotifications(cat.client)).toEqual([]);
  });

  it('the composer is offered the other member only, and a stranger may not ask', async () => {
    const [ann, bob, cat] = await people(suite.server, 'Ann', 'Bob', 'Cat');
    const room = await privateRoomOf(ann, bob);
    const { items } = await ann.client.chat.mentionCandidates.query({ roomId: room.id, query: '' });
    expect(items).toEqual([shown(bob)]);
    const refused = await rejection(cat.client.chat.mentionCandidates.query({ roomId: room.id, query: 'a' }));
    expect(refused.data?.code).toBe('FORBIDDEN');
  });
});

describe('edits and deletions', () => {
  it('an edit re-resolves: a new name gets a bell entry, a removed one stops counting, a deletion clears all', async () => {
    const [ann, bob, cat] = await people(suite.server, 'Ann', 'Bob', 'Cat');
    const roomId = await publicRoomId(ann.client);
    const bobsFeed = await watchUserEvents(bob.client);
    const message = await say(ann.client, roomId, `ping @${bob.username}`);
    expect(await roomOf(bob.client, roomId)).toMatchObject({ mentions: 1 });

    const catsFeed = await watchUserEvents(cat.client);
    const edited = await ann.client.chat.edit.mutate({
      messageId: message.id,
      body: `ping @${cat.username}`,
    });
    expect(edited.mentions).toEqual([shown(cat)]);
    await catsFeed.next((event) => event.type === 'notification');
    // Bob's tabs hear that his count changed, and fetch it again.
    await bobsFeed.next((event) => event.type === 'room.changed' && event.roomId === roomId && !event.event);
    expect(await roomOf(bob.client, roomId)).toMatchObject({ mentions: 0 });
    expect(await roomOf(cat.client, roomId)).toMatchObject({ mentions: 1 });

    const deleted = await ann.client.chat.delete.mutate({ messageId: message.id });
    expect(deleted.mentions).toEqual([]);
    await catsFeed.next((event) => event.type === 'room.changed' && event.roomId === roomId && !event.event);
    expect(await roomOf(cat.client, roomId)).toMatchObject({ mentions: 0 });
  });

  it("the bell says what the message says now: an edit's words, no notice once it no longer names you or is deleted", async () => {
    const [ann, bob, cat] = await people(suite.server, 'Ann', 'Bob', 'Cat');
    const roomId = await publicRoomId(ann.client);
    const bobsFeed = await watchUserEvents(bob.client);
    const catsFeed = await watchUserEvents(cat.client);
    const message = await say(ann.client, roomId, `@${bob.username} @${cat.username} the code is 1234`);
    await bobsFeed.next((event) => event.type === 'notification');
    await catsFeed.next((event) => event.type === 'notification');

    const beforeEdit = { bob: bobsFeed.mark(), cat: catsFeed.mark() };
    await ann.client.chat.edit.mutate({ messageId: message.id, body: `@${bob.username} the code is secret` });

    // Each bell's count comes again with the change, so tabs showing the list read it again.
    await bobsFeed.next((event) => event.type === 'notifications.read', beforeEdit.bob);
    expect((await mentionNotifications(bob.client)).map((notice) => notice.text)).toEqual([
      'Ann mentioned you in the public room: “@Bob the code is secret”',
    ]);
    expect(await catsFeed.next((event) => event.type === 'notifications.read', beforeEdit.cat)).toEqual({
      type: 'notifications.read',
      unreadCount: 0,
    });
    expect(await mentionNotifications(cat.client)).toEqual([]);

    const beforeDeletion = bobsFeed.mark();
    await ann.client.chat.delete.mutate({ messageId: message.id });

    expect(await bobsFeed.next((event) => event.type === 'notifications.read', beforeDeletion)).toEqual({
      type: 'notifications.read',
      unreadCount: 0,
    });
    expect(await mentionNotifications(bob.client)).toEqual([]);
  });
});

describe('mention spam', () => {
  it(`refuses a message or an edit naming more than ${mentionsPerMessage} people, storing nothing`, async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const before = await storedState(suite.db, roomId);
    const refused = await rejection(say(ann.client, roomId, '@aaa @bbb @ccc @ddd hello'));
    expect(refused.data?.code).toBe('BAD_REQUEST');
    expect(refused.message).toBe('A message can mention at most 3 different people; this one names 4.');
    expect(await storedState(suite.db, roomId)).toEqual(before);

    // The same name many times is one mention.
    const repeated = await say(ann.client, roomId, '@aaa @aaa @AAA @aaa @bbb');
    const edit = ann.client.chat.edit.mutate({ messageId: repeated.id, body: '@aaa @bbb @ccc @ddd' });
    expect((await rejection(edit)).data?.code).toBe('BAD_REQUEST');
  });
});

describe('cost', () => {
  it('a message with no @name is sent with the one statement a plain send always made, in no transaction', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const { orm, statements } = await loggedOrm(suite.server.databaseUrl);
    try {
      const send = {
        roomId,
        senderId: ann.id,
        clientId: 'plain-1',
        body: 'no names here: write to ann@example.com',
      };
      const appended = await appendMentioning({} as Deps, orm.em.fork(), send);
      expect(appended?.message.body).toBe(send.body);
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/update rooms r set position[\s\S]*insert into messages/);
    } finally {
      await orm.close();
    }
  });
});
