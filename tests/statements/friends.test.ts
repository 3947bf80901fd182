import { beforeAll, describe, expect, it } from 'vitest';
import { Friendship, User } from '../../src/server/db/entities/index.ts';
import { friendshipsOf } from '../../src/server/db/statements/friends.ts';
import { statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();

/** Ann is friends with Bob and Cy; Bob with Dee; Eve with nobody. */
let [ann, bob, cy, dee, eve] = [0, 0, 0, 0, 0];

beforeAll(async () => {
  const em = db.em();
  const people = ['annie', 'bobby', 'cyril', 'deedee', 'evelyn'].map((username) =>
    em.create(User, { username, displayName: username, email: `${username}@example.com`, passwordHash: 'x' }),
  );
  await em.flush();
  [ann, bob, cy, dee, eve] = people.map((user) => user.id) as [number, number, number, number, number];
  const pair = (a: number, b: number) => ({ userLow: Math.min(a, b), userHigh: Math.max(a, b) });
  for (const [a, b] of [
    [ann, bob],
    [ann, cy],
    [bob, dee],
  ] as const)
    em.create(Friendship, pair(a, b));
  await em.flush();
});

const sorted = (pairs: { userLow: number; userHigh: number }[]) =>
  pairs.map((p) => [p.userLow, p.userHigh]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);

describe('friendshipsOf', () => {
  it('finds every friendship of any of the people, on either side of the pair, once', async () => {
    const pairs = await friendshipsOf(db.em(), [cy, dee]);
    expect(sorted(pairs)).toEqual(
      sorted([
        { userLow: Math.min(ann, cy), userHigh: Math.max(ann, cy) },
        { userLow: Math.min(bob, dee), userHigh: Math.max(bob, dee) },
      ]),
    );
    expect(sorted(await friendshipsOf(db.em(), [ann, bob]))).toHaveLength(3);
  });

  it('finds nothing for people without friends, or for nobody', async () => {
    expect(await friendshipsOf(db.em(), [eve])).toEqual([]);
    expect(await friendshipsOf(db.em(), [])).toEqual([]);
  });
});
