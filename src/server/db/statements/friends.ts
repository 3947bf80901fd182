/**
 * Friendships of many people at once, for presence: when thousands of sockets connect within seconds (a restart),
 * each person's coming online is announced to their friends, a debounced list of people at a time. As `em.find`
 * with two `$in` lists, MikroORM built a criteria node for every id of both lists and `pg` bound each id as a
 * parameter of its own; here the ids go as one array, and one prepared text serves any number of them.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Friendship } from '../entities/index.ts';
import { queryPrepared, sql } from './sql.ts';

export type FriendPair = Pick<Friendship, 'userLow' | 'userHigh'>;

/** Every friendship in which one of `people` takes part, in no order. */
export async function friendshipsOf(em: EntityManager, people: readonly number[]): Promise<FriendPair[]> {
  const rows = await queryPrepared<{ user_low: number; user_high: number }>(
    em,
    sql`select f.user_low, f.user_high from friendships f
      where f.user_low = any(${[...people]}::int[]) or f.user_high = any(${[...people]}::int[])`,
  );
  return rows.map((row) => ({ userLow: row.user_low, userHigh: row.user_high }));
}
