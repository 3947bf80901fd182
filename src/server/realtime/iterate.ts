import { onAbort } from './abort.ts';
import type { EventBus } from './bus.ts';
import { Wakeup } from './wakeup.ts';

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
  const reader = new Wakeup();
  const enqueue = (message: T) => {
    queue.push(message);
    reader.wake();
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
  // not stay on the bus. The abort also wakes a waiting reader.
  onAbort(signal, () => {
    unsubscribe();
    reader.wake();
  });

  async function* iterate(): AsyncGenerator<T> {
    try {
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        // Woken by the next message or the abort.
        await reader.wait();
      }
    } finally {
      unsubscribe();
    }
  }
  // `ready`: the subscription reaches every instance; read the database only after it, or a seam can open.
  return Object.assign(iterate(), { ready: bus.ready(channel) });
}

/** Interleaves several async iterables as their values arrive; ends when all have ended, throws when one throws. */
export async function* merge<T>(...sources: AsyncIterator<T>[]): AsyncGenerator<T> {
  // Each source's next step is awaited on its own and queued: a race of all of them at every step would leave a
  // reaction on a quiet source's pending step for every value the others give (see `listen`).
  const arrived: ({ index: number; result: IteratorResult<T> } | { error: unknown })[] = [];
  const reader = new Wakeup();
  const pull = (index: number) => {
    const settle = (step: (typeof arrived)[number]) => {
      arrived.push(step);
      reader.wake();
    };
    sources[index]!.next().then(
      (result) => settle({ index, result }),
      (error: unknown) => settle({ error }),
    );
  };
  let open = sources.length;
  for (let index = 0; index < sources.length; index++) pull(index);
  try {
    while (open) {
      const next = arrived.shift();
      if (!next) await reader.wait();
      else if ('error' in next) throw next.error;
      else if (next.result.done) open--;
      else {
        pull(next.index);
        yield next.result.value;
      }
    }
  } finally {
    await Promise.all(sources.map((source) => source.return?.()));
  }
}
