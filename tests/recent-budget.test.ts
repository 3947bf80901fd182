/**
 * The recent events an instance keeps for resumes, bounded across its rooms: a busy room keeps its newest, the
 * event kept longest goes first whichever room it is in, and a room opened among many starts with its share. Their
 * frames share one buffer of a set size, whose oldest bytes are written over first.
 */
import { expect, it } from 'vitest';
import { RecentBudget, RecentFrames } from '../src/server/realtime/recent-budget.ts';

/** A room's recent events as its stream keeps them (each event's frame tail), delivered at `positions`. */
function deliver(room: RecentFrames, ...positions: number[]) {
  for (const position of positions) room.add(position, Buffer.from(`event ${position}`));
}

/** The kept positions, read from their frames: the longest run a resume is served from without a database read. */
function servedFrom(room: RecentFrames, head: number): number[] {
  for (let after = 0; after <= head; after++) {
    const kept = room.after(after, head);
    if (kept) return kept.tails.map((tail) => Number(tail.toString().slice('event '.length)));
  }
  return [];
}

it('drops the event kept longest, whichever room it is in, once the instance keeps its total', () => {
  const budget = new RecentBudget({ perStream: 10, total: 5, bytes: 1_000 });
  const [quiet, busy] = [new RecentFrames(budget), new RecentFrames(budget)];
  deliver(quiet, 1, 2);
  deliver(busy, 1, 2, 3, 4);
  expect(servedFrom(quiet, 2)).toEqual([2]);
  expect(servedFrom(busy, 4)).toEqual([1, 2, 3, 4]);
  deliver(busy, 5, 6);
  expect(quiet.after(1, 2)).toBeNull();
  expect(servedFrom(busy, 6)).toEqual([2, 3, 4, 5, 6]);
});

it("keeps at most a room's own limit, and what a room dropped itself costs nothing when it comes due", () => {
  const budget = new RecentBudget({ perStream: 2, total: 4, bytes: 1_000 });
  const [a, b] = [new RecentFrames(budget), new RecentFrames(budget)];
  deliver(a, 1, 2, 3, 4);
  expect(servedFrom(a, 4)).toEqual([3, 4]);
  deliver(b, 1, 2);
  expect(servedFrom(a, 4)).toEqual([3, 4]);
  deliver(b, 3);
  expect([servedFrom(a, 4), servedFrom(b, 3)]).toEqual([[4], [2, 3]]);
});

it('serves nothing from a closed room, whose places in the queue are the first to go', () => {
  const budget = new RecentBudget({ perStream: 10, total: 3, bytes: 1_000 });
  const [closed, open] = [new RecentFrames(budget), new RecentFrames(budget)];
  deliver(closed, 1, 2);
  closed.clear();
  expect(closed.after(0, 2)).toBeNull();
  deliver(open, 1, 2, 3);
  expect(servedFrom(open, 3)).toEqual([1, 2, 3]);
  deliver(open, 4);
  expect(servedFrom(open, 4)).toEqual([2, 3, 4]);
  expect(closed.after(0, 2)).toBeNull();
});

it('gives a room opened among many its share of the total to start with, never more than its own limit', () => {
  const budget = new RecentBudget({ perStream: 500, total: 20_000, bytes: 1_000 });
  expect(budget.shareOf(1)).toBe(500);
  expect(budget.shareOf(100)).toBe(200);
  expect(budget.shareOf(10_000)).toBe(2);
  expect(budget.shareOf(100_000)).toBe(1);
  expect(new RecentBudget({ perStream: 500, total: 0, bytes: 1_000 }).shareOf(1)).toBe(0);
});

it('keeps nothing when the total is 0', () => {
  const room = new RecentFrames(new RecentBudget({ perStream: 500, total: 0, bytes: 1_000 }));
  deliver(room, 1, 2);
  expect(room.after(0, 2)).toBeNull();
  expect(room.after(2, 2)?.tails).toEqual([]);
});

it('serves a resume the frames after its position, each at its own position', () => {
  const room = new RecentFrames(new RecentBudget({ perStream: 3, total: 100, bytes: 1_000 }));
  deliver(room, 1, 2, 3, 4);
  expect(room.after(2, 4)).toEqual({ first: 3, tails: [Buffer.from('event 3'), Buffer.from('event 4')] });
  expect(room.after(0, 4)).toBeNull();
  room.clear();
  deliver(room, 9);
  expect(room.after(8, 9)).toEqual({ first: 9, tails: [Buffer.from('event 9')] });
});

it("writes over the frames kept longest once their bytes fill the budget's buffer, whichever room they are in", () => {
  // Frames of 7 or 8 bytes in 40: four or five fit, and the buffer wraps around many times.
  const budget = new RecentBudget({ perStream: 100, total: 100, bytes: 40 });
  const [a, b] = [new RecentFrames(budget), new RecentFrames(budget)];
  let [headA, headB] = [0, 0];
  for (let turn = 0; turn < 60; turn++) {
    if (turn % 3 === 2) deliver(b, ++headB);
    else deliver(a, ++headA);
    const [keptA, keptB] = [servedFrom(a, headA), servedFrom(b, headB)];
    // Each run ends at its room's newest event, every frame reads back as written, and together they fit.
    expect(keptA.at(-1)).toBe(headA);
    expect(keptA).toEqual(Array.from({ length: keptA.length }, (_, i) => headA - keptA.length + 1 + i));
    if (keptB.length)
      expect(keptB).toEqual(Array.from({ length: keptB.length }, (_, i) => headB - keptB.length + 1 + i));
    const kept = [...keptA, ...keptB].reduce((bytes, position) => bytes + `event ${position}`.length, 0);
    expect(kept).toBeLessThanOrEqual(40);
    // Less only by a frame not yet written over and the end of the buffer, too short for the next.
    if (turn > 8) expect(kept).toBeGreaterThan(40 - 2 * 8);
  }
});

it('keeps no frame larger than its whole buffer, and serves a resume from before one from the database', () => {
  const budget = new RecentBudget({ perStream: 10, total: 10, bytes: 20 });
  const room = new RecentFrames(budget);
  deliver(room, 1, 2);
  room.add(3, Buffer.alloc(21, 'x'));
  expect(room.after(0, 3)).toBeNull();
  expect(room.after(2, 3)).toBeNull();
  deliver(room, 4);
  expect(servedFrom(room, 4)).toEqual([4]);
});
