/**
 * How late an instance's event loop runs, as the admin page shows it: a stall shows for the window it fell in and
 * the next, whoever reads it and however it lines up with a window's end; an idle loop reads as on time.
 */
import { afterEach, expect, it } from 'vitest';
import { LoopLateness } from '../src/server/realtime/loop-lateness.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds this thread, and so its event loop. */
function stall(ms: number): void {
  const ends = performance.now() + ms;
  while (performance.now() < ends) {}
}

/** A loop timed by a timer ten times a second, as an instance's is by its keep-alive sweep (four times). */
const timers: NodeJS.Timeout[] = [];
const watch = () => {
  const loop = new LoopLateness();
  timers.push(setInterval(() => loop.ran(100), 100));
  return loop;
};
afterEach(() => {
  for (const timer of timers.splice(0)) clearInterval(timer);
});

it('reads an idle loop as on time, not as the time between its checks', async () => {
  const loop = watch();
  // A busy machine may hold up a check now and then: one quiet third of a second in ten tells.
  let quiet = false;
  for (let tries = 0; tries < 10 && !quiet; tries++) {
    loop.nextWindow();
    loop.nextWindow();
    await pause(350);
    quiet = loop.lateMs() < 50;
  }
  expect(quiet).toBe(true);
});

it('shows a stall that held up the end of a window too, for that window and the next', async () => {
  const loop = watch();
  await pause(150);
  stall(400);
  // The window ends before the loop has been timed since the stall, as when the stall held up the window's timer.
  loop.nextWindow();
  await pause(150);
  expect(loop.lateMs()).toBeGreaterThanOrEqual(250);

  loop.nextWindow();
  expect(loop.lateMs()).toBeGreaterThanOrEqual(250);
  loop.nextWindow();
  expect(loop.lateMs()).toBeLessThan(50);
});
