/**
 * Message search's raw statements, read column by column on a real database: ids as strings, room ids and ranks as
 * numbers, best first, deleted messages never, and the planner's estimate as plain numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message, Room, User } from '../../src/server/db/entities/index.ts';
import { type Orm, openDatabase } from '../../src/server/db/orm.ts';
import { matchEstimate, rankedPage } from '../../src/server/db/statements/search.ts';
import { createTestDatabase } from '../helpers/server.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
let roomId: number;
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  orm = await openDatabase(database.url);
  const em = orm.em.fork();
  const senderId = await em.insert(User, {
    username: 'searcher',
    displayName: 'Searcher',
    email: 'searcher@example.com',
    passwordHash: 'not a real hash',
  });
  roomId = (await em.findOneOrFail(Room, { kind: 'public' })).id;
  const bodies = {
    close: 'the blue kite flies',
    apart: 'a kite, then many other words in between, and at last something blue',
    other: 'nothing to see here',
    gone: 'a blue kite that was deleted',
  };
  let seq = 0;
  for (const [name, body] of Object.entries(bodies)) {
    ids[name] = await em.insert(Message, {
      roomId,
      seq: ++seq,
      sender: senderId,
      clientId: `search-${name}`,
      body,
      deletedAt: name === 'gone' ? new Date() : null,
    });
  }
});

afterAll(async () => {
  await orm?.close();
  await database?.drop();
});

describe('rankedPage', () => {
  it('returns the matching messages best first, as id strings with number room ids and ranks', async () => {
    for (const walkNewest of [true, false]) {
      const hits = await rankedPage(orm.em.fork(), {
        roomIds: [roomId],
        tsQuery: 'blue & kite',
        candidates: 200,
        walkNewest,
        limit: 10,
      });
      expect(hits.map((hit) => hit.id)).toStrictEqual([ids.close, ids.apart]);
      for (const hit of hits) {
        expect(hit).toStrictEqual({ id: expect.any(String), roomId, rank: expect.any(Number) });
        expect(hit.rank).toBeGreaterThan(0);
      }
      expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
    }
  });

  it('continues below the last hit of a page, and finds nothing in rooms not asked for', async () => {
    const query = { roomIds: [roomId], tsQuery: 'blue & kite', candidates: 200, walkNewest: false, limit: 1 };
    const [first] = await rankedPage(orm.em.fork(), query);
    const next = await rankedPage(orm.em.fork(), { ...query, after: first });
    expect(next.map((hit) => hit.id)).toStrictEqual([ids.apart]);
    expect(await rankedPage(orm.em.fork(), { ...query, roomIds: [roomId + 1000] })).toStrictEqual([]);
  });
});

describe('matchEstimate', () => {
  it("answers the planner's expected matches and the table size as numbers of at least one", async () => {
    const estimate = await matchEstimate(orm.em.fork(), 'kite');
    expect(estimate).toStrictEqual({ matching: expect.any(Number), total: expect.any(Number) });
    expect(estimate.matching).toBeGreaterThanOrEqual(1);
    expect(estimate.total).toBeGreaterThanOrEqual(1);
  });
});
