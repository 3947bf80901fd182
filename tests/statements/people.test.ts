import { beforeAll, describe, expect, it } from 'vitest';
import { Block, FriendRequest, Friendship, Notification, User } from '../../src/server/db/entities/index.ts';
import {
  lockPair,
  pairState,
  profileSeenBy,
  type SearchPosition,
  searchPeople,
  unreadNotificationCounts,
} from '../../src/server/db/statements/people.ts';
import { unreadCount } from '../../src/server/services/notifications.ts';
import { statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();
const em = () => db.em();

/** Everyone a viewer can meet, each with a username that contains "kite". */
let viewer: User;
let friend: User;
let asker: User;
let asked: User;
let blocked: User;
let blocker: User;
let stranger: User;
let incomingRequest: FriendRequest;
let outgoingRequest: FriendRequest;

async function person(
  username: string,
  extra: Partial<Pick<User, 'avatarVersion' | 'bio' | 'displayName'>> = {},
) {
  const manager = em();
  const user = manager.create(User, {
    username,
    displayName: `${username[0]?.toUpperCase()}${username.slice(1)} Display`,
    email: `${username}@example.com`,
    passwordHash: 'not-a-hash',
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    ...extra,
  });
  await manager.flush();
  return user;
}

beforeAll(async () => {
  viewer = await person('kite');
  friend = await person('kitemaker', { avatarVersion: 3, bio: 'I fly them.' });
  asker = await person('kiteasker');
  asked = await person('redkite');
  blocked = await person('bluekite');
  blocker = await person('greenkite');
  stranger = await person('kites');
  const manager = em();
  manager.create(Friendship, { userLow: viewer.id, userHigh: friend.id });
  incomingRequest = manager.create(FriendRequest, { fromId: asker.id, toId: viewer.id });
  outgoingRequest = manager.create(FriendRequest, { fromId: viewer.id, toId: asked.id });
  manager.create(Block, { blockerId: viewer.id, blockedId: blocked.id });
  manager.create(Block, { blockerId: blocker.id, blockedId: viewer.id });
  await manager.flush();
});

describe('searchPeople', () => {
  it('finds everyone who matches but those who blocked me, exact first, then prefixes, then the rest', async () => {
    const hits = await searchPeople(em(), viewer.id, { text: 'KITE', after: null, limit: 20 });
    expect(hits.map((hit) => hit.username)).toEqual([
      'kite',
      'kiteasker',
      'kitemaker',
      'kites',
      'bluekite',
      'redkite',
    ]);
    expect(hits.map((hit) => hit.relation)).toEqual([
      'self',
      'incoming',
      'friend',
      'none',
      'blocked',
      'outgoing',
    ]);
  });

  it('returns each column as the entity types it: ids and versions as numbers, the position to page from', async () => {
    const [maker] = await searchPeople(em(), viewer.id, { text: 'kitemaker', after: null, limit: 1 });
    expect(maker).toEqual({
      id: friend.id,
      username: 'kitemaker',
      displayName: 'Kitemaker Display',
      avatarVersion: 3,
      relation: 'friend',
      requestId: null,
      position: [0, 'kitemaker', friend.id],
    });
    const [asking] = await searchPeople(em(), viewer.id, { text: 'kiteasker', after: null, limit: 1 });
    expect(asking?.requestId).toBe(incomingRequest.id);
    const [waiting] = await searchPeople(em(), viewer.id, { text: 'redkite', after: null, limit: 1 });
    expect(waiting?.requestId).toBe(outgoingRequest.id);
    expect(waiting?.avatarVersion).toBeNull();
  });

  it('continues after a position, page by page, without repeats or gaps', async () => {
    const all = await searchPeople(em(), viewer.id, { text: 'kite', after: null, limit: 20 });
    const first = await searchPeople(em(), viewer.id, { text: 'kite', after: null, limit: 2 });
    const next = await searchPeople(em(), viewer.id, {
      text: 'kite',
      after: first.at(-1)?.position ?? null,
      limit: 20,
    });
    expect([...first, ...next].map((hit) => hit.id)).toEqual(all.map((hit) => hit.id));
  });

  it('matches short text by prefix only, and takes % and _ literally', async () => {
    const short = await searchPeople(em(), viewer.id, { text: 'ki', after: null, limit: 20 });
    expect(short.map((hit) => hit.username)).toEqual(['kite', 'kiteasker', 'kitemaker', 'kites']);
    expect(await searchPeople(em(), viewer.id, { text: 'k%e', after: null, limit: 20 })).toEqual([]);
  });
});

describe('searchPeople, page by page through the ranks', () => {
  /** In the order a search for "wren" must list them: exact, then prefix, then inside a name, each by username. */
  const wrens = [
    { username: 'wren', displayName: 'Someone' },
    { username: 'zz_exact', displayName: 'WREN' },
    { username: 'aaa_bird', displayName: 'Wrenfield Aaa' },
    { username: 'mmm_bird', displayName: 'Wren Mmm' },
    { username: 'wren.c', displayName: 'C' },
    { username: 'wren_a', displayName: 'A' },
    { username: 'wrenb', displayName: 'B' },
    { username: 'zzz_bird', displayName: 'wrenna Z' },
    { username: 'jenny_wren', displayName: 'Jenny' },
    { username: 'mister_x', displayName: 'Mister Wren' },
    { username: 'the_wren', displayName: 'The' },
  ];

  beforeAll(async () => {
    for (const wren of wrens) await person(wren.username, { displayName: wren.displayName });
    // Someone who blocked the viewer sits in every rank's order and must never be counted.
    const hidden = await Promise.all(
      ['wren_aa', 'mmm_hidden', 'the_wren_hidden'].map((username) =>
        person(username, { displayName: username === 'mmm_hidden' ? 'Wren Hidden' : 'Hidden' }),
      ),
    );
    const manager = em();
    for (const user of hidden) manager.create(Block, { blockerId: user.id, blockedId: viewer.id });
    await manager.flush();
  });

  async function everyPage(text: string, pageSize: number) {
    const found: string[] = [];
    let after: SearchPosition | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const hits = await searchPeople(em(), viewer.id, { text, after, limit: pageSize + 1 });
      const page = hits.slice(0, pageSize);
      found.push(...page.map((hit) => hit.username));
      const last = page.at(-1);
      if (hits.length <= pageSize || !last) return found;
      after = last.position;
    }
    throw new Error('the pages never ended');
  }

  it('lists exact matches, then prefixes of usernames and display names together, then the rest, each by username', async () => {
    const hits = await searchPeople(em(), viewer.id, { text: 'Wren', after: null, limit: 50 });
    expect(hits.map((hit) => hit.username)).toEqual(wrens.map((wren) => wren.username));
    expect(hits.map((hit) => hit.position[0])).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2]);
  });

  it('gives everyone once, in that order, whatever the page size and wherever a page crosses from one rank to the next', async () => {
    for (const pageSize of [1, 2, 3, 4, 5, 7]) {
      expect(await everyPage('wren', pageSize)).toEqual(wrens.map((wren) => wren.username));
    }
  });

  it('fills a page from the display names once the usernames with the prefix run out, and the other way round', async () => {
    // "wrenn" starts the username of no one, and the display name of one.
    expect(await everyPage('wrenn', 1)).toEqual(['zzz_bird']);
    // Short text has no "inside" rank: exact and prefix only.
    expect(await everyPage('wr', 2)).toEqual([
      'aaa_bird',
      'mmm_bird',
      'wren',
      'wren.c',
      'wren_a',
      'wrenb',
      'zz_exact',
      'zzz_bird',
    ]);
  });
});

describe('profileSeenBy', () => {
  it('returns every column as the entity types it, with the relation and the friend count', async () => {
    const profile = await profileSeenBy(em(), viewer.id, 'KiteMaker');
    expect(profile).toEqual({
      id: friend.id,
      username: 'kitemaker',
      displayName: 'Kitemaker Display',
      avatarVersion: 3,
      relation: 'friend',
      requestId: null,
      bio: 'I fly them.',
      email: 'kitemaker@example.com',
      showEmail: false,
      createdAt: new Date('2026-01-02T03:04:05.678Z'),
      friendCount: 1,
    });
  });

  it('gives the pending request between us, whichever way it goes', async () => {
    expect((await profileSeenBy(em(), viewer.id, 'kiteasker'))?.requestId).toBe(incomingRequest.id);
    expect((await profileSeenBy(em(), asked.id, 'kite'))?.requestId).toBe(outgoingRequest.id);
    expect((await profileSeenBy(em(), asked.id, 'kite'))?.relation).toBe('incoming');
  });

  it('finds nobody who blocked me, and nobody by a name no one has', async () => {
    expect(await profileSeenBy(em(), viewer.id, 'greenkite')).toBeNull();
    expect(await profileSeenBy(em(), viewer.id, 'nokite')).toBeNull();
    expect((await profileSeenBy(em(), stranger.id, 'kite'))?.friendCount).toBe(1);
  });
});

describe('pairState', () => {
  it('tells friends apart from strangers, the same seen from either side', async () => {
    const none = { friends: false, iBlocked: false, theyBlocked: false, pending: null };
    expect(await pairState(em(), viewer.id, friend.id)).toEqual({ ...none, friends: true });
    expect(await pairState(em(), friend.id, viewer.id)).toEqual({ ...none, friends: true });
    expect(await pairState(em(), viewer.id, stranger.id)).toEqual(none);
  });

  it('says who blocked whom', async () => {
    const none = { friends: false, iBlocked: false, theyBlocked: false, pending: null };
    expect(await pairState(em(), viewer.id, blocked.id)).toEqual({ ...none, iBlocked: true });
    expect(await pairState(em(), blocked.id, viewer.id)).toEqual({ ...none, theyBlocked: true });
    expect(await pairState(em(), viewer.id, blocker.id)).toEqual({ ...none, theyBlocked: true });
  });

  it('gives the pending request with its sender, whichever way it goes', async () => {
    const pending = { id: incomingRequest.id, fromId: asker.id };
    expect((await pairState(em(), viewer.id, asker.id)).pending).toEqual(pending);
    expect((await pairState(em(), asker.id, viewer.id)).pending).toEqual(pending);
  });
});

describe('lockPair', () => {
  /** Whether another connection could take the pair's lock right now (it lets go at once). */
  const lockIsFree = (a: number, b: number) =>
    em().transactional(async (tx) => {
      const [row] = await tx.execute<{ free: boolean }[]>('select pg_try_advisory_xact_lock(?, ?) as free', [
        a,
        b,
      ]);
      return row?.free;
    });

  it('holds the pair, in either order, until the transaction ends', async () => {
    await em().transactional(async (tx) => {
      await lockPair(tx, friend.id, viewer.id);
      expect(await lockIsFree(viewer.id, friend.id)).toBe(false);
      expect(await lockIsFree(viewer.id, asker.id)).toBe(true);
    });
    expect(await lockIsFree(viewer.id, friend.id)).toBe(true);
  });
});

describe('unreadNotificationCounts', () => {
  it("counts each person's unread notifications, read ones not, 0 for none; many tabs asking at once cost a few statements", async () => {
    const [reader, idle] = [await person('countreader'), await person('countidle')];
    const manager = em();
    for (const readAt of [null, null, new Date()]) {
      manager.create(Notification, { userId: reader.id, kind: 'friend.removed', text: 'hello', readAt });
    }
    await manager.flush();
    const counts = await unreadNotificationCounts(em(), [reader.id, idle.id, reader.id]);
    expect(counts.sort((a, b) => a.id - b.id)).toStrictEqual(
      [
        { id: reader.id, unread: 2 },
        { id: idle.id, unread: 0 },
      ].sort((a, b) => a.id - b.id),
    );

    const knex = db.orm().em.getConnection().getKnex();
    let statements = 0;
    const counted = () => statements++;
    knex.on('query', counted);
    const asked = await Promise.all(
      Array.from({ length: 20 }, (_, i) => unreadCount(em(), i % 2 ? reader.id : idle.id)),
    );
    knex.off('query', counted);
    expect(asked).toStrictEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 2 : 0)));
    // The first two go alone (two out at a time), the other eighteen together.
    expect(statements).toBe(3);
  });
});
