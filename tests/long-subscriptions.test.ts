/**
 * A tab stays subscribed for hours (its notifications, a room's typing and presence) and receives thousands of
 * events: the server must keep nothing per event it has passed on, and must still end the subscription the moment
 * the tab goes away. Runs the real in-process bus and the iterables the subscriptions are built from.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { InProcessBus } from '../src/server/realtime/bus.ts';
import { listen, merge } from '../src/server/realtime/iterate.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Heap in use after a full collection, in bytes. */
function heapAfterCollecting(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

type Note = { type: 'note'; n: number };
const isNote = (message: unknown): message is Note => (message as Note | null)?.type === 'note';

/** Events enough that ~300 B kept per event (what racing a long-lived promise kept) shows as ~12 MB. */
const events = 40_000;
/** What a heap may drift by over the run for reasons of its own (compiled code, the test runner). */
const drift = 3_000_000;

it('keeps nothing per event for a subscriber that waits for each one', async () => {
  const bus = new InProcessBus();
  const tab = new AbortController();
  const received = listen(bus, 'user:1', tab.signal, isNote);
  const before = heapAfterCollecting();
  for (let n = 0; n < events; n++) {
    // Published after the reader waits: each event wakes a waiting reader, as a quiet user's events do.
    setImmediate(() => void bus.publish('user:1', { type: 'note', n }));
    const next = await received.next();
    if (next.value?.n !== n) throw new Error(`event ${n} arrived as ${JSON.stringify(next.value)}`);
  }
  expect(heapAfterCollecting() - before).toBeLessThan(drift);
  tab.abort();
});

it('ends a waiting subscription as soon as its tab goes away, and leaves the bus', async () => {
  const bus = new InProcessBus();
  const tab = new AbortController();
  const received = listen(bus, 'user:1', tab.signal, isNote);
  const waiting = received.next();
  expect(bus.listening()).toBe(1);
  tab.abort();
  await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  expect(bus.listening()).toBe(0);
});

it('interleaves a busy source with a quiet one, keeping nothing per event of the busy one', async () => {
  const bus = new InProcessBus();
  const tab = new AbortController();
  const typing = listen(bus, 'typing', tab.signal, isNote);
  const presence = listen(bus, 'presence', tab.signal, isNote);
  const merged = merge<Note>(typing, presence);
  const before = heapAfterCollecting();
  for (let n = 0; n < events; n++) {
    setImmediate(() => void bus.publish('typing', { type: 'note', n }));
    const next = await merged.next();
    if (next.value?.n !== n) throw new Error(`event ${n} arrived as ${JSON.stringify(next.value)}`);
  }
  expect(heapAfterCollecting() - before).toBeLessThan(drift);

  // The quiet source still gets through, and the abort ends both.
  setImmediate(() => void bus.publish('presence', { type: 'note', n: -1 }));
  expect((await merged.next()).value).toEqual({ type: 'note', n: -1 });
  const waiting = merged.next();
  tab.abort();
  await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  expect(bus.listening()).toBe(0);
});
