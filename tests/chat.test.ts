import { describe, expect, it } from 'vitest';
import {
  chattyLimits,
  followRoom,
  type Message,
  makeAdmin,
  newClientId,
  people,
  privateRoomOf,
  publicRoomId,
  type Room,
  recountUnread,
  refusalOf,
  say,
  sayEach,
  storedCopies,
  watchActivity,
} from './helpers/chat.ts';
import { codeOf, rejection } from './helpers/errors.ts';
import { rawMutation } from './helpers/http.ts';
import { type Client, makeFriends } from './helpers/people.ts';
import { serverSuite } from './helpers/server-suite.ts';

const suite = serverSuite({ env: chattyLimits });

async function roomOf(client: Client, roomId: number): Promise<Room | undefined> {
  return (await client.chat.rooms.query()).find((room) => room.id === roomId);
}

async function bodies(client: Client, roomId: number): Promise<string[]> {
  return (await client.chat.history.query({ roomId, limit: 100 })).items.map((message) => message.body);
}

const unreadIn = async (client: Client, roomId: number) => (await roomOf(client, roomId))?.unread;

describe('the public room', () => {
  it('is one room, the same for everyone, and a visitor who is not signed in can open it', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const visitor = suite.server.client();

    const seenByVisitor = await visitor.chat.publicRoom.query();
    const seenByAnn = await ann.client.chat.publicRoom.query();

    expect(seenByVisitor).toMatchObject({ kind: 'public', unread: 0 });
    expect(seenByAnn).toMatchObject({ id: seenByVisitor.id, kind: 'public' });
    const annsRooms = await ann.client.chat.rooms.query();
    expect(annsRooms.filter((room) => room.kind === 'public').map((room) => room.id)).toEqual([
      seenByVisitor.id,
    ]);
    const stored = await suite.db.query("select id from rooms where kind = 'public'");
    expect(stored.rows).toEqual([{ id: seenByVisitor.id }]);
  });
});

describe('private rooms', () => {
  it('two friends share one private room, whichever of them opens it and however often', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    await makeFriends(ann, ben);

    const first = await ann.client.chat.openPrivate.mutate({ userId: ben.id });
    const again = await ann.client.chat.openPrivate.mutate({ userId: ben.id });
    const fromBen = await ben.client.chat.openPrivate.mutate({ userId: ann.id });

    expect(again.id).toBe(first.id);
    expect(fromBen.id).toBe(first.id);
    expect(first).toMatchObject({
      kind: 'private',
      other: { id: ben.id, username: ben.username, displayName: 'Ben' },
      unread: 0,
    });
    expect(fromBen.other).toMatchObject({ id: ann.id, displayName: 'Ann' });
    expect(first.other).not.toHaveProperty('email');
    const stored = await suite.db.query(
      "select id from rooms where kind = 'private' and $1::int in (user_low, user_high)",
      [ann.id],
    );
    expect(stored.rows).toEqual([{ id: first.id }]);
  });

  it('only friends can open one: a stranger is FORBIDDEN, yourself BAD_REQUEST, nobody NOT_FOUND', async () => {
    const [ann, ben, cat] = await people(suite.server, 'Ann', 'Ben', 'Cat');
    await ann.client.friends.sendRequest.mutate({ userId: cat.id }); // asked, not yet accepted

    expect(await codeOf(ann.client.chat.openPrivate.mutate({ userId: ben.id }))).toBe('FORBIDDEN');
    expect(await codeOf(ann.client.chat.openPrivate.mutate({ userId: cat.id }))).toBe('FORBIDDEN');
    expect(await codeOf(ann.client.chat.openPrivate.mutate({ userId: ann.id }))).toBe('BAD_REQUEST');
    expect(await codeOf(ann.client.chat.openPrivate.mutate({ userId: 2_000_000_000 }))).toBe('NOT_FOUND');
    const stored = await suite.db.query(
      "select 1 from rooms where kind = 'private' and $1::int in (user_low, user_high)",
      [ann.id],
    );
    expect(stored.rowCount).toBe(0);
  });

  it('after an unfriend nobody can write, the room stays listed as a former friend’s, and both can still read it', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    await say(ann.client, room.id, 'Hi Ben');
    await say(ben.client, room.id, 'Hi Ann');

    await ben.client.friends.remove.mutate({ userId: ann.id });

    expect(await codeOf(say(ann.client, room.id, 'Still there?'))).toBe('FORBIDDEN');
    expect(await codeOf(say(ben.client, room.id, 'Bye'))).toBe('FORBIDDEN');
    // It keeps the person's name and picture, says why it is closed, and no longer tells who is online.
    expect(await roomOf(ann.client, room.id)).toMatchObject({
      formerFriend: true,
      name: ben.displayName,
      other: { id: ben.id, username: ben.username, online: false },
    });
    expect(await roomOf(ben.client, room.id)).toMatchObject({ formerFriend: true, other: { id: ann.id } });
    expect(await bodies(ann.client, room.id)).toEqual(['Hi Ann', 'Hi Ben']);
    expect(await bodies(ben.client, room.id)).toEqual(['Hi Ann', 'Hi Ben']);
    expect(await codeOf(ann.client.chat.openPrivate.mutate({ userId: ben.id }))).toBe('FORBIDDEN');
  });

  it('friends again, they get the same room back, with its history, and can write in it', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    await say(ann.client, room.id, 'Before the quarrel');
    await ann.client.friends.remove.mutate({ userId: ben.id });

    await makeFriends(ben, ann);

    const reopened = await ben.client.chat.openPrivate.mutate({ userId: ann.id });
    expect(reopened.id).toBe(room.id);
    expect(reopened.lastMessage?.body).toBe('Before the quarrel');
    expect(await roomOf(ann.client, room.id)).toMatchObject({ other: { id: ben.id } });
    await say(ben.client, room.id, 'Friends again');
    expect(await bodies(ann.client, room.id)).toEqual(['Friends again', 'Before the quarrel']);
  });

  it('a third person can neither read, follow, nor write in a private room, even as a friend of both', async () => {
    const [ann, ben, cat] = await people(suite.server, 'Ann', 'Ben', 'Cat');
    const room = await privateRoomOf(ann, ben);
    const message = await say(ann.client, room.id, 'Just between us');
    await makeFriends(cat, ann);
    await makeFriends(cat, ben);
    const chat = cat.client.chat;

    expect(await codeOf(chat.history.query({ roomId: room.id }))).toBe('FORBIDDEN');
    expect(await refusalOf(followRoom(cat.client, room.id))).toBe('FORBIDDEN');
    expect(await refusalOf(followRoom(cat.client, room.id, '0'))).toBe('FORBIDDEN');
    expect(await refusalOf(watchActivity(cat.client, room.id))).toBe('FORBIDDEN');
    expect(await codeOf(say(cat.client, room.id, 'Let me in'))).toBe('FORBIDDEN');
    expect(await codeOf(chat.typing.mutate({ roomId: room.id }))).toBe('FORBIDDEN');
    expect(await codeOf(chat.markRead.mutate({ roomId: room.id, seq: message.seq }))).toBe('FORBIDDEN');
    expect(await codeOf(chat.edit.mutate({ messageId: message.id, body: 'Hacked' }))).toBe('FORBIDDEN');
    expect(await codeOf(chat.delete.mutate({ messageId: message.id }))).toBe('FORBIDDEN');
    expect(await roomOf(cat.client, room.id)).toBeUndefined();
    expect(await bodies(ben.client, room.id)).toEqual(['Just between us']);
  });

  it('blocking ends the friendship: neither the blocked person nor the blocker can write any more', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    await say(ben.client, room.id, 'Hello?');

    await ann.client.friends.block.mutate({ userId: ben.id });

    expect(await codeOf(say(ben.client, room.id, 'Why?'))).toBe('FORBIDDEN');
    expect(await codeOf(say(ann.client, room.id, 'Go away'))).toBe('FORBIDDEN');
    // Ben, blocked, no longer sees Ann's conversation listed; Ann keeps it as a former friend's.
    expect(await roomOf(ben.client, room.id)).toBeUndefined();
    expect(await roomOf(ann.client, room.id)).toMatchObject({ formerFriend: true });
    expect(await bodies(ann.client, room.id)).toEqual(['Hello?']);
  });
});

describe('the room list', () => {
  it('puts the newest activity first, each private room with its other member, last message and unread', async () => {
    const [ann, ben, cat] = await people(suite.server, 'Ann', 'Ben', 'Cat');
    const publicId = await publicRoomId(ann.client);
    const withBen = await privateRoomOf(ann, ben);
    const withCat = await privateRoomOf(ann, cat);
    await say(ann.client, publicId, 'Morning, everyone');
    await sayEach(ben.client, withBen.id, ['Ben one', 'Ben two']);
    await say(cat.client, withCat.id, 'Cat one');

    const rooms = await ann.client.chat.rooms.query();

    expect(rooms.map((room) => room.id)).toEqual([withCat.id, withBen.id, publicId]);
    expect(rooms[1]).toMatchObject({
      kind: 'private',
      other: { id: ben.id, username: ben.username, displayName: 'Ben' },
      lastMessage: { body: 'Ben two', sender: { id: ben.id } },
      unread: 2,
    });
    expect(rooms[0]).toMatchObject({ other: { id: cat.id }, lastMessage: { body: 'Cat one' }, unread: 1 });

    await say(ben.client, withBen.id, 'Ben three');
    const later = await ann.client.chat.rooms.query();
    expect(later.map((room) => room.id)).toEqual([withBen.id, withCat.id, publicId]);
    expect(later[0]).toMatchObject({ lastMessage: { body: 'Ben three' }, unread: 3 });
    expect(await roomOf(ben.client, withBen.id)).toMatchObject({
      other: { id: ann.id, displayName: 'Ann' },
      lastMessage: { body: 'Ben three' },
      unread: 0,
    });
  });
});

describe('sending messages', () => {
  it('each message gets the next seq of its room, and history keeps the order the server gave', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);

    const inTurn = await sayEach(ann.client, room.id, ['one', 'two', 'three']);
    const atOnce = await Promise.all(
      Array.from({ length: 10 }, (_, i) => say((i % 2 ? ann : ben)!.client, room.id, `at once ${i}`)),
    );

    const first = inTurn[0]!.seq;
    expect(inTurn.map((m) => m.seq)).toEqual([first, first + 1, first + 2]);
    const burstSeqs = atOnce.map((m) => m.seq).sort((x, y) => x - y);
    expect(burstSeqs).toEqual(Array.from({ length: 10 }, (_, i) => first + 3 + i));
    const { items } = await ben.client.chat.history.query({ roomId: room.id });
    const everything = [...inTurn, ...atOnce].sort((x, y) => y.seq - x.seq);
    expect(items).toEqual(everything);
  });

  it('a retried send returns the first message instead of storing a second copy', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const clientId = newClientId();

    const first = await say(ann.client, roomId, 'Did this go through?', clientId);
    const retry = await say(ann.client, roomId, 'Did this go through?', clientId);

    expect(retry).toEqual(first);
    expect(await storedCopies(suite.db, ann.id, clientId)).toBe(1);
    const { items } = await ann.client.chat.history.query({ roomId });
    expect(items.filter((message) => message.clientId === clientId)).toEqual([first]);
  });

  it('ten identical sends fired at once store one message, and all ten answer with it', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const input = { roomId: room.id, clientId: newClientId(), body: 'Only once, please' };

    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        rawMutation(suite.server.url, 'chat.send', input, { cookie: ann.account.cookie }),
      ),
    );

    expect(answers.map((answer) => answer.error)).toEqual(Array(10).fill(null));
    const stored = answers[0]!.data as Message;
    for (const answer of answers) expect(answer.data).toEqual(stored);
    expect(await storedCopies(suite.db, ann.id, input.clientId)).toBe(1);
    // The nine losers used no positions: the next message follows right after.
    expect((await say(ben.client, room.id, 'Got it')).seq).toBe(stored.seq + 1);
  });
});

describe('message bodies', () => {
  it('an empty or blank message is refused, with a field error on body', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);

    for (const body of ['', '   ', '\n\t  \n']) {
      const error = await rejection(say(ann.client, roomId, body));
      expect(error.data?.code).toBe('BAD_REQUEST');
      expect(error.data?.fieldErrors?.body?.length).toBeGreaterThan(0);
    }
    const stored = await suite.db.query('select 1 from messages where sender_id = $1', [ann.id]);
    expect(stored.rowCount).toBe(0);
  });

  it('a message may be 4000 characters long after trimming, and not one more', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const longest = 'x'.repeat(4000);

    expect((await say(ann.client, roomId, longest)).body).toBe(longest);
    await say(ann.client, roomId, `  ${'y'.repeat(4000)}\n`);
    const error = await rejection(say(ann.client, roomId, `${longest}x`));

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors?.body?.length).toBeGreaterThan(0);
  });

  it('is stored as written: markup comes back as the same literal text, line breaks and all', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const body = '<script>alert("hi")</script>\n**bold** & <b>tags</b> &amp; `code`\n\n    indented';

    const sent = await say(ann.client, room.id, body);

    expect(sent.body).toBe(body);
    expect(await bodies(ben.client, room.id)).toEqual([body]);
  });
});

describe('reading history', () => {
  it('comes newest first, 50 to a page unless asked, and 1 to 100 at a time', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const sent = await Promise.all(Array.from({ length: 55 }, (_, i) => say(ann.client, room.id, `#${i}`)));
    const newestFirst = sent.sort((x, y) => y.seq - x.seq);

    const firstPage = await ben.client.chat.history.query({ roomId: room.id });
    expect(firstPage.items).toEqual(newestFirst.slice(0, 50));
    expect(firstPage.nextCursor).toBe(newestFirst[49]!.seq);
    const lastPage = await ben.client.chat.history.query({
      roomId: room.id,
      beforeSeq: firstPage.nextCursor,
    });
    expect(lastPage).toEqual({ items: newestFirst.slice(50), nextCursor: null });

    const all = await ben.client.chat.history.query({ roomId: room.id, limit: 100 });
    expect(all.items).toHaveLength(55);
    const one = await ben.client.chat.history.query({ roomId: room.id, limit: 1 });
    expect(one.items).toEqual(newestFirst.slice(0, 1));
    for (const limit of [0, 101]) {
      const error = await rejection(ben.client.chat.history.query({ roomId: room.id, limit }));
      expect(error.data?.code).toBe('BAD_REQUEST');
    }
  });

  it('paging back through 120 messages while new ones arrive gives every message once, none missing', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const sent: Message[] = [];
    for (let batch = 0; batch < 6; batch++) {
      sent.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, i) => say(ben.client, room.id, `old ${batch * 20 + i}`)),
        )),
      );
    }

    const seen: Message[] = [];
    let page = await ann.client.chat.history.query({ roomId: room.id, limit: 50 });
    const pageSizes = [page.items.length];
    seen.push(...page.items);
    while (page.nextCursor !== null) {
      await sayEach(ben.client, room.id, ['new while paging', 'and another']);
      page = await ann.client.chat.history.query({ roomId: room.id, beforeSeq: page.nextCursor, limit: 50 });
      pageSizes.push(page.items.length);
      seen.push(...page.items);
    }

    expect(pageSizes).toEqual([50, 50, 20]);
    expect(seen.map((m) => m.id)).toEqual(sent.sort((x, y) => y.seq - x.seq).map((m) => m.id));
  });
});

describe('editing and deleting', () => {
  it('I can edit my own message: same id and seq, new words, editedAt set, for every reader', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const typo = await say(ann.client, room.id, 'Helo Ben');

    const fixed = await ann.client.chat.edit.mutate({ messageId: typo.id, body: 'Hello Ben' });

    expect(fixed).toMatchObject({ id: typo.id, seq: typo.seq, body: 'Hello Ben', deletedAt: null });
    expect(Date.parse(fixed.editedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(typo.createdAt));
    expect(typo.editedAt).toBeNull();
    expect((await ben.client.chat.history.query({ roomId: room.id })).items).toEqual([fixed]);
    const blank = await rejection(ann.client.chat.edit.mutate({ messageId: typo.id, body: '  ' }));
    expect(blank.data?.code).toBe('BAD_REQUEST');
    expect(blank.data?.fieldErrors?.body?.length).toBeGreaterThan(0);
  });

  it('I can delete my own message: it keeps its place in history, with no words and deletedAt set', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const [kept, regretted] = await sayEach(ann.client, room.id, ['Fine words', 'Regrettable words']);

    const deleted = await ann.client.chat.delete.mutate({ messageId: regretted!.id });

    expect(deleted).toMatchObject({ id: regretted!.id, seq: regretted!.seq, body: '' });
    expect(deleted.deletedAt).toEqual(expect.any(String));
    const { items } = await ben.client.chat.history.query({ roomId: room.id });
    expect(items).toEqual([deleted, kept]);
    const stored = await suite.db.query('select body from messages where id = $1', [regretted!.id]);
    expect(stored.rows).toEqual([{ body: '' }]);
  });

  it("nobody may edit or delete someone else's message: FORBIDDEN, and it stays as it was", async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const publicId = await publicRoomId(ann.client);
    const room = await privateRoomOf(ann, ben);
    const inPublic = await say(ann.client, publicId, 'My words in public');
    const inPrivate = await say(ann.client, room.id, 'My words in private');

    for (const message of [inPublic, inPrivate]) {
      expect(await codeOf(ben.client.chat.edit.mutate({ messageId: message.id, body: 'Yours now' }))).toBe(
        'FORBIDDEN',
      );
      expect(await codeOf(ben.client.chat.delete.mutate({ messageId: message.id }))).toBe('FORBIDDEN');
    }

    expect(await bodies(ben.client, room.id)).toEqual(['My words in private']);
    const { items } = await ben.client.chat.history.query({ roomId: publicId });
    expect(items.find((message) => message.id === inPublic.id)).toEqual(inPublic);
  });

  it("an admin may delete anyone's message", async () => {
    const [ann, moderator] = await people(suite.server, 'Ann', 'Moderator');
    const publicId = await publicRoomId(ann.client);
    const spam = await say(ann.client, publicId, 'Buy cheap watches');
    await makeAdmin(suite.db, moderator);

    const deleted = await moderator.client.chat.delete.mutate({ messageId: spam.id });

    expect(deleted).toMatchObject({ id: spam.id, body: '', sender: { id: ann.id } });
    const { items } = await ann.client.chat.history.query({ roomId: publicId });
    expect(items.find((message) => message.id === spam.id)).toEqual(deleted);
  });

  // Admins moderate by deleting (audited, live); they never put words in someone else's mouth.
  it("an admin may delete anyone's message but not rewrite it", async () => {
    const [ann, moderator] = await people(suite.server, 'Ann', 'Moderator');
    const publicId = await publicRoomId(ann.client);
    const rude = await say(ann.client, publicId, 'Something rude');
    await makeAdmin(suite.db, moderator);

    const rewrite = moderator.client.chat.edit.mutate({ messageId: rude.id, body: 'Something nice' });
    expect(await codeOf(rewrite)).toBe('FORBIDDEN');
    const removed = await moderator.client.chat.delete.mutate({ messageId: rude.id });

    expect(removed).toMatchObject({ id: rude.id, body: '', deletedBy: 'moderator', sender: { id: ann.id } });
  });

  it('a message that does not exist is NOT_FOUND', async () => {
    const [ann] = await people(suite.server, 'Ann');

    expect(await codeOf(ann.client.chat.edit.mutate({ messageId: '999999999', body: 'Hm' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(ann.client.chat.delete.mutate({ messageId: '999999999' }))).toBe('NOT_FOUND');
  });
});

describe('unread messages', () => {
  it("counts the friend's messages after my read position; marking read only ever moves forward", async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const sent = await sayEach(ben.client, room.id, ['one', 'two', 'three', 'four']);
    expect(await unreadIn(ann.client, room.id)).toBe(4);
    expect(await unreadIn(ben.client, room.id)).toBe(0);

    const readTwo = await ann.client.chat.markRead.mutate({ roomId: room.id, seq: sent[1]!.seq });
    expect(readTwo).toMatchObject({ roomId: room.id, unread: 2 });
    const backwards = await ann.client.chat.markRead.mutate({ roomId: room.id, seq: sent[0]!.seq });
    expect(backwards.unread).toBe(2);
    expect(await unreadIn(ann.client, room.id)).toBe(2);

    const oops = await say(ben.client, room.id, 'oops');
    expect(await unreadIn(ann.client, room.id)).toBe(3);
    await ben.client.chat.delete.mutate({ messageId: oops.id });
    expect(await unreadIn(ann.client, room.id)).toBe(2);

    const readAll = await ann.client.chat.markRead.mutate({ roomId: room.id, seq: sent[3]!.seq });
    expect(readAll.unread).toBe(0);
    expect(await unreadIn(ann.client, room.id)).toBe(0);
  });

  it("after a mix of sends, deletes and reads, the list's unread agrees with a recount of the stored rows", async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const publicId = await publicRoomId(ann.client);
    const room = await privateRoomOf(ann, ben);
    const fromBen = await sayEach(ben.client, room.id, ['b1', 'b2', 'b3', 'b4', 'b5']);
    const fromAnn = await sayEach(ann.client, room.id, ['a1', 'a2']);
    await ann.client.chat.markRead.mutate({ roomId: room.id, seq: fromBen[1]!.seq });
    await ben.client.chat.delete.mutate({ messageId: fromBen[3]!.id });
    await ben.client.chat.edit.mutate({ messageId: fromBen[4]!.id, body: 'b5, edited' });
    await ann.client.chat.delete.mutate({ messageId: fromAnn[0]!.id });
    await ben.client.chat.markRead.mutate({ roomId: room.id, seq: fromAnn[0]!.seq });
    const more = await sayEach(ben.client, room.id, ['b6', 'b7', 'b8']);
    await ann.client.chat.markRead.mutate({ roomId: room.id, seq: fromBen[0]!.seq });
    await ben.client.chat.delete.mutate({ messageId: more[2]!.id });
    await say(ann.client, publicId, 'p1');
    await say(ben.client, publicId, 'p2');

    for (const person of [ann, ben]) {
      for (const roomId of [room.id, publicId]) {
        expect(await unreadIn(person.client, roomId)).toBe(await recountUnread(suite.db, roomId, person.id));
      }
    }
    expect(await unreadIn(ann.client, room.id)).toBeGreaterThan(0);
  });
});

describe('a visitor who is not signed in', () => {
  it('may read the public room, but not write, type, mark read, or see a room list', async () => {
    const [ann] = await people(suite.server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const welcome = await say(ann.client, roomId, 'Welcome, visitors');
    const visitor = suite.server.client();

    const { items } = await visitor.chat.history.query({ roomId });

    expect(items[0]).toEqual(welcome);
    expect(await codeOf(say(visitor, roomId, 'Hello from outside'))).toBe('UNAUTHORIZED');
    expect(await codeOf(visitor.chat.typing.mutate({ roomId }))).toBe('UNAUTHORIZED');
    expect(await codeOf(visitor.chat.markRead.mutate({ roomId, seq: welcome.seq }))).toBe('UNAUTHORIZED');
    expect(await codeOf(visitor.chat.edit.mutate({ messageId: welcome.id, body: 'Mine' }))).toBe(
      'UNAUTHORIZED',
    );
    expect(await codeOf(visitor.chat.delete.mutate({ messageId: welcome.id }))).toBe('UNAUTHORIZED');
    expect(await codeOf(visitor.chat.rooms.query())).toBe('UNAUTHORIZED');
    expect(await codeOf(visitor.chat.openPrivate.mutate({ userId: ann.id }))).toBe('UNAUTHORIZED');
    const stored = await suite.db.query('select 1 from messages where body = $1', ['Hello from outside']);
    expect(stored.rowCount).toBe(0);
  });

  it('may not read or follow a private room', async () => {
    const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    await say(ann.client, room.id, 'Private');
    const visitor = suite.server.client();

    expect(await codeOf(visitor.chat.history.query({ roomId: room.id }))).toBe('UNAUTHORIZED');
    expect(await refusalOf(followRoom(visitor, room.id, '0'))).toBe('UNAUTHORIZED');
    expect(await refusalOf(watchActivity(visitor, room.id))).toBe('UNAUTHORIZED');
  });
});
