import { describe, expect, it } from 'vitest';
import { fromNow, hour, signUpAdmin } from './helpers/admin.ts';
import {
  chattyLimits,
  followRoom,
  openRoom,
  people,
  privateRoomOf,
  publicRoomId,
  received,
  say,
  storedState,
} from './helpers/chat.ts';
import { codeOf, rejection } from './helpers/errors.ts';
import type { Client } from './helpers/people.ts';
import { serverSuite } from './helpers/server-suite.ts';

const reactionsPerMinute = 12;
const emojiPerMessage = 3;

const suite = serverSuite({
  env: {
    ...chattyLimits,
    REACTIONS_PER_MINUTE: String(reactionsPerMinute),
    REACTION_EMOJI_PER_MESSAGE: String(emojiPerMessage),
  },
});

const react = (client: Client, messageId: string, emoji: string, on = true) =>
  client.chat.react.mutate({ messageId, emoji, on });

async function reactionsIn(client: Client, roomId: number) {
  const { items } = await client.chat.history.query({ roomId, limit: 1 });
  return items[0]?.reactions;
}

describe('reacting to a message', () => {
  it('adds a reaction once, counts two people, takes one back, and never marks the message edited', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const message = await say(ann.client, room.id, 'Pizza tonight?');

    const first = await react(ben.client, message.id, '🍕');
    expect(first.reactions).toEqual([{ emoji: '🍕', count: 1, userIds: [ben.id] }]);
    const before = await storedState(suite.db, room.id);
    const again = await react(ben.client, message.id, '🍕');
    expect(again.reactions).toEqual(first.reactions);
    // Adding twice changes nothing: no event, no position taken.
    expect(await storedState(suite.db, room.id)).toEqual(before);

    await react(ann.client, message.id, '🍕');
    await react(ann.client, message.id, '👍');
    expect(await reactionsIn(ben.client, room.id)).toEqual([
      { emoji: '🍕', count: 2, userIds: [ben.id, ann.id] },
      { emoji: '👍', count: 1, userIds: [ann.id] },
    ]);

    const taken = await react(ben.client, message.id, '🍕', false);
    expect(taken.reactions).toEqual([
      { emoji: '🍕', count: 1, userIds: [ann.id] },
      { emoji: '👍', count: 1, userIds: [ann.id] },
    ]);
    const afterRemoval = await storedState(suite.db, room.id);
    await react(ben.client, message.id, '🍕', false);
    expect(await storedState(suite.db, room.id)).toEqual(afterRemoval);
    expect(taken).toMatchObject({ body: 'Pizza tonight?', editedAt: null });
  });

  it('reaches another reader live as message.edited with the new reactions, and resumes with them', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const message = await say(ann.client, room.id, 'Ship it?');
    const bensView = await openRoom(ben.client, room.id);

    await react(ann.client, message.id, '🚀');

    const [event] = await received(bensView, 1);
    expect(event?.data).toMatchObject({
      type: 'message.edited',
      message: { id: message.id, editedAt: null, reactions: [{ emoji: '🚀', count: 1, userIds: [ann.id] }] },
    });
    bensView.stop();
    const caughtUp = await received(followRoom(ben.client, room.id, String(message.seq)), 1);
    expect(caughtUp[0]?.data.message.reactions).toEqual([{ emoji: '🚀', count: 1, userIds: [ann.id] }]);
  });

  it('lets anyone who can read see who reacted, and refuses a stranger to the room', async () => {
    const [ann, ben, cat] = await people(suite.server, 'Ann', 'Ben', 'Cat');
    const room = await privateRoomOf(ann, ben);
    const message = await say(ann.client, room.id, 'Just us');
    await react(ben.client, message.id, '❤️');

    const who = await ann.client.chat.reactors.query({ messageId: message.id, emoji: '❤️' });
    expect(who).toEqual({
      items: [expect.objectContaining({ id: ben.id, displayName: 'Ben' })],
      nextCursor: null,
    });
    expect(await codeOf(react(cat.client, message.id, '❤️'))).toBe('FORBIDDEN');
    expect(await codeOf(cat.client.chat.reactors.query({ messageId: message.id, emoji: '❤️' }))).toBe(
      'FORBIDDEN',
    );
    expect(
      await codeOf(suite.server.client().chat.react.mutate({ messageId: message.id, emoji: '❤️', on: true })),
    ).toBe('UNAUTHORIZED');
  });
});

describe('who reacted, in the public room', () => {
  it('a visitor who is not signed in sees the reactions and the names, and cannot react', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const roomId = await publicRoomId(ann.client);
    const message = await say(ann.client, roomId, 'Open to all');
    await react(ben.client, message.id, '👋');
    const visitor = suite.server.client();

    const { items } = await visitor.chat.reactors.query({ messageId: message.id, emoji: '👋' });
    expect(items.map((person) => person.displayName)).toEqual(['Ben']);
    expect(await codeOf(react(visitor, message.id, '👋'))).toBe('UNAUTHORIZED');
  });
});

describe('what reacting refuses', () => {
  it('refuses text that is not one emoji from the list, with a message a person understands', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const message = await say(ann.client, await publicRoomId(ann.client), 'Hello');
    for (const emoji of ['<img src=x onerror=alert(1)>', '👍👍', 'ok', '', '👍\u200b']) {
      const error = await rejection(react(ann.client, message.id, emoji));
      expect(error.data?.code).toBe('BAD_REQUEST');
      expect(error.message).toContain('Pick one emoji from the list.');
    }
  });

  it('refuses a deleted message and one that does not exist', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const message = await say(ann.client, room.id, 'Oops');
    await react(ben.client, message.id, '😂');
    const deleted = await ann.client.chat.delete.mutate({ messageId: message.id });
    expect(deleted.reactions).toEqual([]);

    const error = await rejection(react(ben.client, message.id, '😂'));
    expect(error.data?.code).toBe('NOT_FOUND');
    expect(error.message).toBe('That message was deleted.');
    expect(await codeOf(react(ben.client, '999999999', '😂'))).toBe('NOT_FOUND');
  });

  it('refuses a muted person and a former friend, who can still see the reactions', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const message = await say(ann.client, room.id, 'Still friends?');
    await react(ben.client, message.id, '🤝');
    await ann.client.friends.remove.mutate({ userId: ben.id });
    expect(await codeOf(react(ben.client, message.id, '🤝', false))).toBe('FORBIDDEN');
    expect(await reactionsIn(ben.client, room.id)).toEqual([{ emoji: '🤝', count: 1, userIds: [ben.id] }]);

    const admin = await signUpAdmin(suite.server, suite.db);
    const [dan] = await people(suite.server, 'Dan');
    const inPublic = await say(ann.client, await publicRoomId(ann.client), 'Hi all');
    await admin.client.admin.users.mute.mutate({ userId: dan.id, reason: 'Spam', until: fromNow(hour) });
    const error = await rejection(react(dan.client, inPublic.id, '👍'));
    expect(error.data?.code).toBe('FORBIDDEN');
    expect(error.message).toContain('muted');
  });

  it(`allows at most ${emojiPerMessage} different emoji on a message, yet more people on those`, async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const message = await say(ann.client, await publicRoomId(ann.client), 'Vote');
    for (const emoji of ['👍', '👎', '🤔']) await react(ann.client, message.id, emoji);

    const error = await rejection(react(ben.client, message.id, '🎉'));
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.message).toBe(
      `A message can carry at most ${emojiPerMessage} different emoji: add to one that is there.`,
    );
    const joined = await react(ben.client, message.id, '👍');
    expect(joined.reactions.map((r) => [r.emoji, r.count])).toEqual([
      ['👍', 2],
      ['👎', 1],
      ['🤔', 1],
    ]);
  });

  it('stops a reaction flood with TOO_MANY_REQUESTS and the seconds to wait', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const message = await say(ann.client, await publicRoomId(ann.client), 'Click me');
    for (let i = 0; i < reactionsPerMinute; i++) await react(ann.client, message.id, '🔥', i % 2 === 0);

    const error = await rejection(react(ann.client, message.id, '🔥'));
    expect(error.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(error.data?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('keeps one reaction when two tabs add the same one at once', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const message = await say(ann.client, room.id, 'Race');
    await Promise.all([react(ben.client, message.id, '👀'), react(ben.client, message.id, '👀')]);
    expect(await reactionsIn(ann.client, room.id)).toEqual([{ emoji: '👀', count: 1, userIds: [ben.id] }]);
    const { rows } = await suite.db.query('select 1 from reactions where message_id = $1', [message.id]);
    expect(rows).toHaveLength(1);
  });
});
