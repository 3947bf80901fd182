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

/**
 * Publishes `events` notes on `channel`, each after the reader waits for it (as a quiet user's events wake a
 * waiting reader), checking each arrives in turn; returns the heap the run left behind, after full collections.
 */
async function heapKeptPassing(
  bus: InProcessBus,
  channel: string,
  reader: AsyncIterator<Note>,
): Promise<number> {
  const before = heapAfterCollecting();
  for (let n = 0; n < events; n++) {
    setImmediate(() => void bus.publish(channel, { type: 'note', n }));
    const next = await reader.next();
    if (next.value?.n !== n) throw new Error(`event ${n} arrived as ${JSON.stringify(next.value)}`);
  }
  return heapAfterCollecting() - before;
}

it('keeps nothing per event for a subscriber that waits for each one', async () => {
  const bus = new InProcessBus();
  const tab = new AbortController();
  const received = listen(bus, 'user:1', tab.signal, isNote);
  expect(await heapKeptPassing(bus, 'user:1', received)).toBeLessThan(drift);
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
  expect(await heapKeptPassing(bus, 'typing', merged)).toBeLessThan(drift);

  // The quiet source still gets through, and the abort ends both.
  setImmediate(() => void bus.publish('presence', { type: 'note', n: -1 }));
  expect((await merged.next()).value).toEqual({ type: 'note', n: -1 });
  const waiting = merged.next();
  tab.abort();
  await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  expect(bus.listening()).toBe(0);
});
