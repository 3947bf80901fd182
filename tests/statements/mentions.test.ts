/**
 * Mentions' raw statements, read column by column: people as entity types (numbers for ids, avatar versions as
 * stored), counts as numbers, whatever PostgreSQL sent for the row.
 */
import { describe, expect, it } from 'vitest';
import { Block, Friendship, Notification, Room } from '../../src/server/db/entities/index.ts';
import { appendMessage, extrasOf, messagesBefore, roomsSeenBy } from '../../src/server/db/statements/chat.ts';
import { mentionCandidates, resolveMentions } from '../../src/server/db/statements/mentions.ts';
import { moveReadPositions } from '../../src/server/db/statements/read-positions.ts';
import { insertPerson, insertPrivateRoom, statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();

const em = () => db.em();

const person = (name: string, extra: Parameters<typeof insertPerson>[2] = {}) =>
  insertPerson(em(), name, extra);

const publicRoom = () => em().findOneOrFail(Room, { kind: 'public' });

let clientIds = 0;
async function say(roomId: number, senderId: number, body: string) {
  const appended = await appendMessage(em(), { roomId, senderId, clientId: `mention-${++clientIds}`, body });
  if (!appended) throw new Error('refused');
  return appended.message;
}

const privateRoom = (a: { id: number }, b: { id: number }) => insertPrivateRoom(em(), a, b);

describe('resolveMentions', () => {
  it('stores the people named who can read the public room, and says who is new; others stay text', async () => {
    const [ann, bob, cat] = [
      await person('Ann'),
      await person('Bob', { avatarVersion: 4 }),
      await person('Cat'),
    ];
    const banned = await person('Banned', { bannedUntil: new Date(Date.now() + 3_600_000) });
    const blocker = await person('Blocker');
    await em().insert(Block, { blockerId: blocker.id, blockedId: ann.id });
    const room = await publicRoom();
    const message = await say(room.id, ann.id, 'hi');
    const names = [
      bob.username,
      cat.username.toUpperCase().toLowerCase(),
      banned.username,
      blocker.username,
      'nobody',
    ];

    const first = await resolveMentions(em(), {
      messageId: message.id,
      roomId: room.id,
      senderId: ann.id,
      names,
    });
    expect(first).toStrictEqual({
      roomKind: 'public',
      mentioned: [bob, cat],
      added: [bob.id, cat.id],
      removed: [],
    });

    // An edit: Bob stays (not new), Cat goes, Ann herself comes.
    const again = await resolveMentions(em(), {
      messageId: message.id,
      roomId: room.id,
      senderId: ann.id,
      names: [bob.username, ann.username],
    });
    expect(again).toStrictEqual({
      roomKind: 'public',
      mentioned: [ann, bob],
      added: [ann.id],
      removed: [cat.id],
    });
    expect((await extrasOf(em(), [message.id])).get(message.id)?.mentions).toStrictEqual([ann, bob]);
  });

  it('in a private room names only its two members', async () => {
    const [ann, bob, outsider] = [await person('Ann'), await person('Bob'), await person('Out')];
    const roomId = await privateRoom(ann, bob);
    const message = await say(roomId, ann.id, 'hi');
    const change = await resolveMentions(em(), {
      messageId: message.id,
      roomId,
      senderId: ann.id,
      names: [bob.username, outsider.username],
    });
    expect(change).toStrictEqual({ roomKind: 'private', mentioned: [bob], added: [bob.id], removed: [] });
    const none = await resolveMentions(em(), { messageId: message.id, roomId, senderId: ann.id, names: [] });
    expect(none).toStrictEqual({ roomKind: 'private', mentioned: [], added: [], removed: [bob.id] });
  });
});

describe('the mentions column and the unread-mentions count', () => {
  it('gives history each message with its people, and the room list and a read their unread mentions', async () => {
    const [ann, bob] = [await person('Ann'), await person('Bob', { avatarVersion: 2 })];
    const roomId = await privateRoom(ann, bob);
    const plain = await say(roomId, ann.id, 'plain');
    const named = await say(roomId, ann.id, `hey @${bob.username}`);
    await resolveMentions(em(), { messageId: named.id, roomId, senderId: ann.id, names: [bob.username] });

    const [newest, older] = await messagesBefore(em(), roomId, null, 10);
    expect(newest?.mentions).toStrictEqual([bob]);
    expect(older?.id).toBe(plain.id);
    expect(older?.mentions).toStrictEqual([]);
    expect((await extrasOf(em(), [plain.id])).get(plain.id)?.mentions).toStrictEqual([]);

    const [room] = await roomsSeenBy(em(), bob.id, roomId);
    expect(room).toMatchObject({ unread: 2, mentions: 1 });
    // Ann's own words never count for her.
    expect((await roomsSeenBy(em(), ann.id, roomId))[0]).toMatchObject({ unread: 0, mentions: 0 });
    // The bell's notice of the mention, as the send leaves it: unread.
    const notice = await em().insert(Notification, {
      userId: bob.id,
      kind: 'message.mention',
      actor: ann.id,
      message: named.id,
      text: 'Ann mentioned you',
    });
    expect((await moveReadPositions(em(), [{ roomId, userId: bob.id, seq: plain.seq }]))[0]).toStrictEqual({
      readSeq: plain.seq,
      unread: 1,
      mentions: 1,
      noticesRead: 0,
    });
    expect((await em().findOneOrFail(Notification, notice)).readAt).toBeNull();
    expect((await moveReadPositions(em(), [{ roomId, userId: bob.id, seq: named.seq }]))[0]).toStrictEqual({
      readSeq: named.seq,
      unread: 0,
      mentions: 0,
      noticesRead: 1,
    });
    expect((await em().findOneOrFail(Notification, notice)).readAt).toBeInstanceOf(Date);
  });
});

describe('mentionCandidates', () => {
  it('offers readers by name prefix, friends then recent speakers first; never the viewer or a blocker', async () => {
    const viewer = await person('Zed');
    const friend = await person('Mia');
    const speaker = await person('Max', { avatarVersion: 1 });
    const quiet = await person('Mae');
    const blocker = await person('Mab');
    const banned = await person('Mal', { bannedUntil: new Date(Date.now() + 3_600_000) });
    await em().insert(Friendship, {
      userLow: Math.min(viewer.id, friend.id),
      userHigh: Math.max(viewer.id, friend.id),
    });
    await em().insert(Block, { blockerId: blocker.id, blockedId: viewer.id });
    const room = await publicRoom();
    await say(room.id, speaker.id, 'hello');
    const search = (prefix: string) =>
      mentionCandidates(em(), { roomId: room.id, viewerId: viewer.id, prefix, limit: 10 });

    const found = await search('ma');
    expect(found).toStrictEqual([speaker, quiet]);
    expect((await search('M')).slice(0, 3)).toStrictEqual([friend, speaker, quiet]);
    // A bare "@" offers friends and recent speakers only.
    const bare = await search('');
    expect(bare.slice(0, 2)).toStrictEqual([friend, speaker]);
    expect(bare).not.toContainEqual(quiet);
    expect([...found, ...bare].map((p) => p.id)).not.toContain(banned.id);
    expect([...bare, ...(await search('m'))].map((p) => p.id)).not.toContain(viewer.id);
  });

  it('in a private room offers only the other member', async () => {
    const [ann, bob] = [await person('Ann'), await person('Bob')];
    const roomId = await privateRoom(ann, bob);
    expect(await mentionCandidates(em(), { roomId, viewerId: ann.id, prefix: '', limit: 5 })).toStrictEqual([
      bob,
    ]);
    expect(
      await mentionCandidates(em(), { roomId, viewerId: ann.id, prefix: 'ann', limit: 5 }),
    ).toStrictEqual([]);
  });
});
