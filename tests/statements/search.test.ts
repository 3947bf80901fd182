/**
 * Message search's raw statements, read column by column on a real database: each hit's message as history maps
 * it, its room and its rank as a number, best first, deleted messages never, and the planner's estimate as plain
 * numbers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Message, Room } from '../../src/server/db/entities/index.ts';
import { matchEstimate, searchPage } from '../../src/server/db/statements/search.ts';
import { insertPerson, statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();
let roomId: number;
let reader: Awaited<ReturnType<typeof insertPerson>>;
let readerId: number;
const ids: Record<string, string> = {};

beforeAll(async () => {
  const em = db.em();
  reader = await insertPerson(em, 'Searcher');
  readerId = reader.id;
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
      sender: readerId,
      clientId: `search-${name}`,
      body,
      deletedAt: name === 'gone' ? new Date() : null,
    });
  }
});

describe('searchPage', () => {
  const search = { readerId: 0, tsQuery: 'blue & kite', candidates: 200, limit: 10 };

  it('returns the matching messages best first, each with its message, room and rank', async () => {
    for (const walkNewest of [true, false]) {
      for (const roomIds of [{ roomId }, {}]) {
        const hits = await searchPage(db.em(), { ...search, ...roomIds, readerId, walkNewest });
        expect(hits.map((hit) => hit.message.id)).toStrictEqual([ids.close, ids.apart]);
        for (const hit of hits) {
          expect(hit.rank).toStrictEqual(expect.any(Number));
          expect(hit.rank).toBeGreaterThan(0);
          expect(hit.room).toStrictEqual({ id: roomId, kind: 'public', name: expect.any(String) });
        }
        expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
        expect(hits[0]!.message).toStrictEqual({
          id: ids.close,
          roomId,
          seq: 1,
          clientId: 'search-close',
          body: 'the blue kite flies',
          createdAt: expect.any(Date),
          editedAt: null,
          deletedAt: null,
          deletedBy: null,
          sender: { id: readerId, username: reader.username, displayName: 'Searcher', avatarVersion: null },
          quoted: null,
          reactions: [],
          mentions: [],
          attachments: [],
        });
      }
    }
  });

  it('continues below the last hit of a page, and finds nothing in rooms not asked for', async () => {
    const query = { ...search, roomId, readerId, walkNewest: false, limit: 1 };
    const [first] = await searchPage(db.em(), query);
    const next = await searchPage(db.em(), {
      ...query,
      after: { rank: first!.rank, id: first!.message.id },
    });
    expect(next.map((hit) => hit.message.id)).toStrictEqual([ids.apart]);
    expect(await searchPage(db.em(), { ...query, roomId: roomId + 1000 })).toStrictEqual([]);
  });
});

describe('matchEstimate', () => {
  it("answers the planner's expected matches and the table size as numbers of at least one", async () => {
    const estimate = await matchEstimate(db.em(), 'kite');
    expect(estimate).toStrictEqual({ matching: expect.any(Number), total: expect.any(Number) });
    expect(estimate.matching).toBeGreaterThanOrEqual(1);
    expect(estimate.total).toBeGreaterThanOrEqual(1);
  });
});
