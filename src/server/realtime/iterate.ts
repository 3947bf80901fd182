import { onAbort, untilAborted } from './abort.ts';
import type { EventBus } from './bus.ts';

/**
 * Turns a bus channel into an async iterable that ends when `signal` aborts. Messages are queued from the moment
 * of the call, so a caller that subscribes before reading missed events from the database cannot lose the seam.
 */
export function listen<T>(
  bus: EventBus,
  channel: string,
  signal: AbortSignal | undefined,
  accept: (message: unknown) => message is T,
  /** What to yield when messages may have been missed (see `EventBus.onRecover`), so the reader can resync. */
  resync?: T,
): AsyncIterableIterator<T> & { ready: Promise<void> } {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  const enqueue = (message: T) => {
    queue.push(message);
    wake?.();
  };
  const unsubscribeFromBus = bus.subscribe(channel, (message) => {
    if (accept(message)) enqueue(message);
  });
  const stopRecovering = resync === undefined ? () => {} : bus.onRecover(() => enqueue(resync));
  let subscribed = true;
  const unsubscribe = () => {
    if (!subscribed) return;
    subscribed = false;
    unsubscribeFromBus();
    stopRecovering();
    queue.length = 0;
  };
  // Also on abort: a caller may stop before it ever iterates (while reading a backlog), and the listener must
  // not stay on the bus.
  onAbort(signal, unsubscribe);
  const stopped = untilAborted(signal);

  async function* iterate(): AsyncGenerator<T> {
    try {
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), stopped]);
        wake = null;
      }
    } finally {
      unsubscribe();
    }
  }
  // `ready`: the subscription reaches every instance; read the database only after it, or a seam can open.
  return Object.assign(iterate(), { ready: bus.ready(channel) });
}

/** Interleaves several async iterables as their values arrive; ends when all have ended. */
export async function* merge<T>(...sources: AsyncIterator<T>[]): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const pull = (index: number) => {
    const source = sources[index]!;
    pending.set(
      index,
      source.next().then((result) => ({ index, result })),
    );
  };
  for (let index = 0; index < sources.length; index++) pull(index);
  try {
    while (pending.size) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(index);
        continue;
      }
      pull(index);
      yield result.value;
    }
  } finally {
    await Promise.all(sources.map((source) => source.return?.()));
  }
}
