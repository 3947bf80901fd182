/**
 * Replies: a message may answer another of the same room. The reply carries a quote of its original (who wrote
 * it, its first words, whether it was deleted) in the send's answer, history, catch-up and live events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chattyLimits,
  followRoom,
  newClientId,
  openRoom,
  people,
  privateRoomOf,
  publicRoomId,
  received,
  say,
} from './helpers/chat.ts';
import { rejection } from './helpers/errors.ts';
import type { Client } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: chattyLimits });
});

afterAll(async () => {
  await server?.close();
});

const reply = (client: Client, roomId: number, body: string, replyToId: string, clientId = newClientId()) =>
  client.chat.send.mutate({ roomId, clientId, body, replyToId });

const newest = async (client: Client, roomId: number) =>
  (await client.chat.history.query({ roomId, limit: 1 })).items[0];

describe('replying to a message', () => {
  it("quotes the words as they were written: only Markdown's marks go, not code, comparisons or tags", async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const code = await say(
      ann.client,
      room.id,
      'Use **snake_case** in C#, if a > b, and `<i>x</i>` or <b>y</b>',
    );

    const answer = await reply(ben.client, room.id, 'Noted', code.id);

    expect(answer.replyTo?.excerpt).toBe('Use snake_case in C#, if a > b, and <i>x</i> or <b>y</b>');
  });

  it('quotes the original, with its author and first words, everywhere the reply is shown', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const question = await say(
      ann.client,
      room.id,
      `Who brings the **cake** on Friday? ${'Please. '.repeat(30)}`,
    );
    const bensTab = await openRoom(ben.client, room.id);

    const answer = await reply(ben.client, room.id, 'I will!', question.id);

    const quote = answer.replyTo;
    expect(quote).toMatchObject({ id: question.id, seq: question.seq, deleted: false });
    expect(quote?.sender).toMatchObject({ id: ann.id, displayName: 'Ann' });
    expect(quote?.excerpt.startsWith('Who brings the cake on Friday? Please.')).toBe(true);
    expect(quote?.excerpt.length).toBeLessThanOrEqual(120);
    expect((await newest(ann.client, room.id))?.replyTo).toStrictEqual(quote);
    const [live] = await received(bensTab, 1);
    expect(live?.data).toMatchObject({ type: 'message.created', message: { id: answer.id, replyTo: quote } });
    const catchUp = followRoom(ann.client, room.id, String(question.seq));
    expect((await received(catchUp, 1))[0]?.data.message.replyTo).toStrictEqual(quote);
    expect(question.replyTo).toBeNull();
  });

  it('shows the original as deleted once it is, without its words, and announces the change live', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const secret = await say(ann.client, room.id, 'the door code is 1234');
    const answer = await reply(ben.client, room.id, 'thanks', secret.id);
    const annsTab = await openRoom(ann.client, room.id);

    await ann.client.chat.delete.mutate({ messageId: secret.id });

    const [deleted] = await received(annsTab, 1);
    expect(deleted?.data).toMatchObject({ type: 'message.deleted', message: { id: secret.id } });
    const shown = await newest(ben.client, room.id);
    expect(shown).toMatchObject({ id: answer.id, body: 'thanks' });
    expect(shown?.replyTo).toMatchObject({ id: secret.id, excerpt: '', deleted: true });
  });

  it('keeps the quote when the reply itself is edited', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const question = await say(ann.client, room.id, 'Tea or coffee?');
    const answer = await reply(ben.client, room.id, 'Tea', question.id);

    const edited = await ben.client.chat.edit.mutate({ messageId: answer.id, body: 'Coffee' });

    expect(edited).toMatchObject({ body: 'Coffee', replyTo: { id: question.id, excerpt: 'Tea or coffee?' } });
  });

  it('sends a retried reply once, answering with the first copy', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const question = await say(ann.client, room.id, 'Ready?');
    const clientId = newClientId();

    const first = await reply(ben.client, room.id, 'Yes', question.id, clientId);
    await ann.client.chat.delete.mutate({ messageId: question.id });
    const retry = await reply(ben.client, room.id, 'Yes', question.id, clientId);

    expect(retry.id).toBe(first.id);
    expect(retry.replyTo).toMatchObject({ id: question.id, deleted: true });
    const { items } = await ben.client.chat.history.query({ roomId: room.id, limit: 10 });
    expect(items.filter((message) => message.body === 'Yes')).toHaveLength(1);
  });
});

describe('replies that cannot be sent', () => {
  it('refuses a reply to a message of another conversation, and stores nothing', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const lobby = await publicRoomId(ann.client);
    const elsewhere = await say(ann.client, lobby, 'Hello, lobby');

    const refusal = await rejection(reply(ann.client, room.id, 'hm', elsewhere.id));

    expect(refusal.data?.code).toBe('BAD_REQUEST');
    expect(refusal.message).toBe('You can only reply to a message in the same conversation.');
    expect((await newest(ann.client, room.id))?.body).not.toBe('hm');
  });

  it('answers NOT_FOUND for a message that does not exist or that the sender cannot read', async () => {
    const [ann, ben, cal] = await people(server, 'Ann', 'Ben', 'Cal');
    const theirs = await privateRoomOf(ann, ben);
    const secret = await say(ann.client, theirs.id, 'between us');
    const lobby = await publicRoomId(cal.client);

    const missing = await rejection(reply(cal.client, lobby, 'hm', '999999999'));
    const unreadable = await rejection(reply(cal.client, lobby, 'hm', secret.id));

    expect([missing.data?.code, missing.message]).toEqual([
      'NOT_FOUND',
      'The message you are replying to does not exist.',
    ]);
    expect([unreadable.data?.code, unreadable.message]).toEqual([missing.data?.code, missing.message]);
  });

  it('refuses a reply to a deleted message', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const gone = await say(ann.client, room.id, 'oops');
    await ann.client.chat.delete.mutate({ messageId: gone.id });

    const refusal = await rejection(reply(ben.client, room.id, 'what?', gone.id));

    expect([refusal.data?.code, refusal.message]).toEqual([
      'NOT_FOUND',
      'The message you are replying to was deleted.',
    ]);
  });

  it('refuses a replyToId that is not a message id', async () => {
    const [ann] = await people(server, 'Ann');
    const lobby = await publicRoomId(ann.client);

    const refusal = await rejection(reply(ann.client, lobby, 'hm', 'abc'));

    expect(refusal.data?.code).toBe('BAD_REQUEST');
  });
});
