import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBy, reportIn, signUpAdmin } from './helpers/admin.ts';
import {
  chattyLimits,
  followRoom,
  type Message,
  privateRoomOf,
  publicRoomId,
  type RoomEvent,
  say,
} from './helpers/chat.ts';
import { codeOf, rejection } from './helpers/errors.ts';
import { rawQuery } from './helpers/http.ts';
import { type Client, signUp } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { serverSuite } from './helpers/server-suite.ts';
import type { Recording } from './helpers/subscriptions.ts';

const suite = serverSuite({ env: chattyLimits });

/**
 * Someone reading the room live since just before `message` was sent: once its creation has arrived, the stream is
 * live, so nothing later can slip past it.
 */
async function watching(client: Client, message: Message): Promise<Recording<RoomEvent>> {
  const feed = followRoom(client, message.roomId, String(message.seq - 1));
  await feed.next((event) => event.data.type === 'message.created' && event.data.message.id === message.id);
  return feed;
}

const deletionOf = (feed: Recording<RoomEvent>, message: Message) =>
  feed.next((event) => event.data.type === 'message.deleted' && event.data.message.id === message.id);

async function inHistory(client: Client, message: Message) {
  const { items } = await client.chat.history.query({ roomId: message.roomId, limit: 20 });
  return items.find((item) => item.id === message.id);
}

async function storedMessage(message: Message) {
  const { rows } = await suite.db.query<{ body: string; deleted_by: string | null }>(
    'select body, deleted_by from messages where id = $1',
    [message.id],
  );
  return rows[0];
}

const removedByModerator = { body: '', deletedAt: expect.any(String), deletedBy: 'moderator' };

describe('a moderator deletes a message', () => {
  it('it disappears live from every open client, signed in or not, and history says a moderator removed it', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const [ben, cat] = [await signUp(suite.server), await signUp(suite.server)];
    const visitor = suite.server.client();
    const insult = await say(ben.client, await publicRoomId(ben.client), 'You are all idiots');
    const catsFeed = await watching(cat.client, insult);
    const visitorsFeed = await watching(visitor, insult);

    await admin.client.admin.messages.delete.mutate({ messageId: insult.id, reason: 'Insults' });

    for (const feed of [catsFeed, visitorsFeed]) {
      expect((await deletionOf(feed, insult)).data.message).toMatchObject({
        id: insult.id,
        ...removedByModerator,
      });
    }
    expect(await inHistory(cat.client, insult)).toMatchObject(removedByModerator);
    expect(await inHistory(visitor, insult)).toMatchObject(removedByModerator);
    expect(await inHistory(ben.client, insult)).toMatchObject(removedByModerator);
  });

  it('its words are kept only in the audit log', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const ben = await signUp(suite.server);
    const insult = await say(ben.client, await publicRoomId(ben.client), 'Nobody likes you, Cat');

    await admin.client.admin.messages.delete.mutate({ messageId: insult.id, reason: 'Bullying' });

    expect(await storedMessage(insult)).toEqual({ body: '', deleted_by: 'moderator' });
    const [entry] = await auditBy(admin);
    expect(entry).toMatchObject({
      action: 'message.delete',
      actor: { id: admin.id },
      target: { id: ben.id },
      targetMessageId: insult.id,
      reason: 'Bullying',
      details: { body: 'Nobody likes you, Cat' },
    });
  });

  it('a private conversation’s message disappears live for both of its members too', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const [ann, ben] = [await signUp(suite.server), await signUp(suite.server)];
    const room = await privateRoomOf(ann, ben);
    const threat = await say(ben.client, room.id, 'I know where you live');
    const annsFeed = await watching(ann.client, threat);

    await admin.client.admin.messages.delete.mutate({ messageId: threat.id, reason: 'Threats' });

    expect((await deletionOf(annsFeed, threat)).data.message).toMatchObject(removedByModerator);
    expect(await inHistory(ann.client, threat)).toMatchObject(removedByModerator);
  });

  it('a message already gone cannot be deleted again, and one that never was is NOT_FOUND', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const ben = await signUp(suite.server);
    const message = await say(ben.client, await publicRoomId(ben.client), 'Oops');
    await ben.client.chat.delete.mutate({ messageId: message.id });

    const again = admin.client.admin.messages.delete.mutate({ messageId: message.id, reason: 'Spam' });
    const never = admin.client.admin.messages.delete.mutate({ messageId: '999999999', reason: 'Spam' });

    expect(await codeOf(again)).toBe('NOT_FOUND');
    expect(await codeOf(never)).toBe('NOT_FOUND');
    expect(await inHistory(ben.client, message)).toMatchObject({ deletedBy: 'sender' });
    expect(await auditBy(admin)).toEqual([]);
  });

  it('is recorded in the audit log even when the message is the admin’s own', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const slip = await say(admin.client, await publicRoomId(admin.client), 'My password is hunter2');

    await admin.client.admin.messages.delete.mutate({ messageId: slip.id, reason: 'Posted a secret' });

    expect(await auditBy(admin)).toEqual([
      expect.objectContaining({
        action: 'message.delete',
        targetMessageId: slip.id,
        reason: 'Posted a secret',
        details: expect.objectContaining({ body: 'My password is hunter2' }),
      }),
    ]);
  });

  describe('with a second instance of the deployment', () => {
    let second: TestServer;

    beforeAll(async () => {
      second = await startTestServer({
        env: chattyLimits,
        databaseUrl: suite.server.databaseUrl,
        redisPrefix: suite.server.deps.config.redisKeyPrefix,
      });
    });

    afterAll(async () => {
      await second?.close();
    });

    it('a deletion made through one instance disappears live for a reader on the other', async () => {
      const admin = await signUpAdmin(suite.server, suite.db);
      const [ben, cat] = [await signUp(suite.server), await signUp(suite.server)];
      const spam = await say(ben.client, await publicRoomId(ben.client), 'Cheap watches, click here');
      const catOnSecond = second.client({ cookie: cat.account.cookie });
      const feed = await watching(catOnSecond, spam);

      await admin.client.admin.messages.delete.mutate({ messageId: spam.id, reason: 'Advertising' });

      expect((await deletionOf(feed, spam)).data.message).toMatchObject(removedByModerator);
    });
  });
});

describe('reports', () => {
  it('anyone who can read a message may report it, once; moderators see who reported what', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const [ben, cat] = [
      await signUp(suite.server, { displayName: 'Ben' }),
      await signUp(suite.server, { displayName: 'Cat' }),
    ];
    const ad = await say(ben.client, await publicRoomId(ben.client), 'Buy cheap watches');

    const { id } = await cat.client.chat.report.mutate({ messageId: ad.id, reason: 'Advertising' });

    expect(await reportIn(admin.client, 'open', id)).toEqual({
      id,
      reason: 'Advertising',
      status: 'open',
      action: null,
      createdAt: expect.any(String),
      resolvedAt: null,
      reporter: { id: cat.id, username: cat.username, displayName: 'Cat' },
      message: expect.objectContaining({
        id: ad.id,
        body: 'Buy cheap watches',
        sender: expect.objectContaining({ id: ben.id }),
      }),
    });
    const again = await rejection(cat.client.chat.report.mutate({ messageId: ad.id, reason: 'Really!' }));
    expect(again.data?.code).toBe('CONFLICT');
    expect(await codeOf(suite.server.client().chat.report.mutate({ messageId: ad.id, reason: 'Spam' }))).toBe(
      'UNAUTHORIZED',
    );
  });

  it('nobody may report their own message', async () => {
    const ben = await signUp(suite.server);
    const mine = await say(ben.client, await publicRoomId(ben.client), 'My own words');

    expect(await codeOf(ben.client.chat.report.mutate({ messageId: mine.id, reason: 'Hm' }))).toBe(
      'BAD_REQUEST',
    );
  });

  it('a private message may be reported by the other member, not by someone outside the conversation', async () => {
    const [ann, ben, cat] = [
      await signUp(suite.server),
      await signUp(suite.server),
      await signUp(suite.server),
    ];
    const room = await privateRoomOf(ann, ben);
    const threat = await say(ben.client, room.id, 'I know where you live');

    expect(await codeOf(cat.client.chat.report.mutate({ messageId: threat.id, reason: 'Threats' }))).toBe(
      'FORBIDDEN',
    );
    expect(await ann.client.chat.report.mutate({ messageId: threat.id, reason: 'Threats' })).toEqual({
      id: expect.any(Number),
    });
  });

  it('a message that does not exist, or was deleted, cannot be reported', async () => {
    const [ben, cat] = [await signUp(suite.server), await signUp(suite.server)];
    const gone = await say(ben.client, await publicRoomId(ben.client), 'Never mind');
    await ben.client.chat.delete.mutate({ messageId: gone.id });

    expect(await codeOf(cat.client.chat.report.mutate({ messageId: gone.id, reason: 'Spam' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(cat.client.chat.report.mutate({ messageId: '999999999', reason: 'Spam' }))).toBe(
      'NOT_FOUND',
    );
  });

  it('dismissing a report keeps the message and closes every open report on it', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const [ben, cat, dan] = [
      await signUp(suite.server),
      await signUp(suite.server),
      await signUp(suite.server),
    ];
    const joke = await say(ben.client, await publicRoomId(ben.client), 'A joke some find rude');
    const fromCat = await cat.client.chat.report.mutate({ messageId: joke.id, reason: 'Rude' });
    const fromDan = await dan.client.chat.report.mutate({ messageId: joke.id, reason: 'Offensive' });

    expect(
      await admin.client.admin.reports.resolve.mutate({ reportId: fromCat.id, action: 'dismiss' }),
    ).toEqual({
      ok: true,
    });

    expect(await inHistory(ben.client, joke)).toMatchObject({
      body: 'A joke some find rude',
      deletedAt: null,
    });
    for (const report of [fromCat, fromDan]) {
      expect(await reportIn(admin.client, 'open', report.id)).toBeUndefined();
      expect(await reportIn(admin.client, 'dismissed', report.id)).toMatchObject({
        action: 'dismiss',
        resolvedAt: expect.any(String),
      });
    }
    expect(
      await codeOf(admin.client.admin.reports.resolve.mutate({ reportId: fromCat.id, action: 'dismiss' })),
    ).toBe('CONFLICT');
    expect(
      await codeOf(admin.client.admin.reports.resolve.mutate({ reportId: fromDan.id, action: 'delete' })),
    ).toBe('CONFLICT');
    expect(await inHistory(ben.client, joke)).toMatchObject({ deletedAt: null });
  });

  it('resolving with delete removes the message as a moderator, live, and resolves every open report on it', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const [ben, cat, dan, eve] = [
      await signUp(suite.server),
      await signUp(suite.server),
      await signUp(suite.server),
      await signUp(suite.server),
    ];
    const spam = await say(ben.client, await publicRoomId(ben.client), 'Cheap watches, click here');
    const fromCat = await cat.client.chat.report.mutate({ messageId: spam.id, reason: 'Advertising' });
    const fromDan = await dan.client.chat.report.mutate({ messageId: spam.id, reason: 'Spam' });
    const evesFeed = await watching(eve.client, spam);
    const { openReports } = await admin.client.admin.stats.query();

    await admin.client.admin.reports.resolve.mutate({ reportId: fromCat.id, action: 'delete' });

    expect((await deletionOf(evesFeed, spam)).data.message).toMatchObject(removedByModerator);
    expect(await inHistory(eve.client, spam)).toMatchObject(removedByModerator);
    expect(await storedMessage(spam)).toEqual({ body: '', deleted_by: 'moderator' });
    for (const report of [fromCat, fromDan]) {
      expect(await reportIn(admin.client, 'open', report.id)).toBeUndefined();
      expect(await reportIn(admin.client, 'resolved', report.id)).toMatchObject({ action: 'delete' });
    }
    expect((await admin.client.admin.stats.query()).openReports).toBe(openReports - 2);
    for (const report of [fromCat, fromDan]) {
      const again = admin.client.admin.reports.resolve.mutate({ reportId: report.id, action: 'delete' });
      expect(await codeOf(again)).toBe('CONFLICT');
    }
    // Newest first: the report is claimed (and its resolution recorded) before the message is removed.
    const actions = (await auditBy(admin)).map((entry) => [entry.action, entry.targetMessageId]);
    expect(actions).toEqual([
      ['message.delete', spam.id],
      ['report.resolve', spam.id],
    ]);
    const [deletion] = await auditBy(admin);
    expect(deletion?.details).toMatchObject({ body: 'Cheap watches, click here' });
  });

  it('a report that does not exist is NOT_FOUND', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);

    const resolve = admin.client.admin.reports.resolve.mutate({ reportId: 2_000_000_000, action: 'dismiss' });

    expect(await codeOf(resolve)).toBe('NOT_FOUND');
  });

  it('two moderators resolving the same report at the same moment: one resolves it, the other hears CONFLICT', async () => {
    const [ann, bea] = [await signUpAdmin(suite.server, suite.db), await signUpAdmin(suite.server, suite.db)];
    const [ben, cat] = [await signUp(suite.server), await signUp(suite.server)];
    const roomId = await publicRoomId(ben.client);

    for (let round = 0; round < 5; round++) {
      const message = await say(ben.client, roomId, `Borderline, take ${round}`);
      const { id } = await cat.client.chat.report.mutate({ messageId: message.id, reason: 'Borderline' });

      const results = await Promise.allSettled([
        ann.client.admin.reports.resolve.mutate({ reportId: id, action: 'dismiss' }),
        bea.client.admin.reports.resolve.mutate({ reportId: id, action: 'dismiss' }),
      ]);

      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    }
    const resolutions = [...(await auditBy(ann)), ...(await auditBy(bea))];
    expect(resolutions).toHaveLength(5);
  });

  it('a script pages through a long queue by passing nextCursor back as it came', async () => {
    const admin = await signUpAdmin(suite.server, suite.db);
    const [ben, cat] = [await signUp(suite.server), await signUp(suite.server)];
    const roomId = await publicRoomId(ben.client);
    const filed: number[] = [];
    for (let n = 0; n < 51; n++) {
      const message = await say(ben.client, roomId, `Spam number ${n}`);
      filed.push((await cat.client.chat.report.mutate({ messageId: message.id, reason: 'Spam' })).id);
    }

    const seen: number[] = [];
    let cursor: unknown = null;
    do {
      const page = await rawQuery(
        suite.server.url,
        'admin.reports.list',
        { status: 'open', cursor },
        { cookie: admin.account.cookie },
      );
      expect(page.error?.message ?? null).toBeNull();
      const { items, nextCursor } = page.data as { items: { id: number }[]; nextCursor: unknown };
      seen.push(...items.map((report) => report.id));
      cursor = nextCursor;
    } while (cursor !== null);

    expect(seen).toEqual(expect.arrayContaining(filed));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
