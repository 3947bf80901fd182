/**
 * The recent events an instance keeps for resumes, bounded across its rooms: a busy room keeps its newest, the
 * event kept longest goes first whichever room it is in, and a room opened among many starts with its share.
 */
import { expect, it } from 'vitest';
import { type KeepsRecent, RecentBudget } from '../src/server/realtime/recent-budget.ts';

/** A room's kept positions, oldest first, as a live stream keeps them. */
class Room implements KeepsRecent {
  readonly kept: number[] = [];
  constructor(private readonly budget: RecentBudget) {}

  deliver(position: number): void {
    this.kept.push(position);
    if (this.kept.length > this.budget.limits.perStream) this.kept.shift();
    this.budget.kept(this, position);
  }

  forget(position: number): void {
    if (this.kept[0] === position) this.kept.shift();
  }
}

it('drops the event kept longest, whichever room it is in, once the instance keeps its total', () => {
  const budget = new RecentBudget({ perStream: 10, total: 5 });
  const [quiet, busy] = [new Room(budget), new Room(budget)];
  quiet.deliver(1);
  quiet.deliver(2);
  for (let position = 1; position <= 4; position++) busy.deliver(position);
  expect(quiet.kept).toEqual([2]);
  expect(busy.kept).toEqual([1, 2, 3, 4]);
  busy.deliver(5);
  busy.deliver(6);
  expect(quiet.kept).toEqual([]);
  expect(busy.kept).toEqual([2, 3, 4, 5, 6]);
});

it('keeps at most its own limit of one room, and what a room dropped itself costs nothing when it comes due', () => {
  const budget = new RecentBudget({ perStream: 2, total: 4 });
  const [a, b] = [new Room(budget), new Room(budget)];
  for (let position = 1; position <= 4; position++) a.deliver(position);
  expect(a.kept).toEqual([3, 4]);
  b.deliver(1);
  b.deliver(2);
  expect(a.kept).toEqual([3, 4]);
  b.deliver(3);
  expect([a.kept, b.kept]).toEqual([[4], [2, 3]]);
});

it('gives a room opened among many its share of the total to start with, never more than its own limit', () => {
  const budget = new RecentBudget({ perStream: 500, total: 20_000 });
  expect(budget.shareOf(1)).toBe(500);
  expect(budget.shareOf(100)).toBe(200);
  expect(budget.shareOf(10_000)).toBe(2);
  expect(budget.shareOf(100_000)).toBe(1);
  expect(new RecentBudget({ perStream: 500, total: 0 }).shareOf(1)).toBe(0);
});

it('keeps nothing when the total is 0', () => {
  const budget = new RecentBudget({ perStream: 500, total: 0 });
  const room = new Room(budget);
  room.deliver(1);
  room.deliver(2);
  expect(room.kept).toEqual([]);
});
