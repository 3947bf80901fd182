import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../src/server/router.ts';

interface Handlers<T> {
  onData(value: T): void;
  onError(error: unknown): void;
}

/** What a running subscription has delivered so far, with ways to wait for more. */
export interface Recording<T> {
  readonly events: readonly T[];
  /** How many events have arrived: pass it to `next` to look only at later ones. */
  mark(): number;
  /** The first event at index `from` or later that matches; fails after `timeoutMs`. */
  next<S extends T>(match: (event: T) => event is S, from?: number, timeoutMs?: number): Promise<S>;
  next(match: (event: T) => boolean, from?: number, timeoutMs?: number): Promise<T>;
  /** Resolves with the error the subscription ended with (e.g. UNAUTHORIZED). */
  readonly failure: Promise<TRPCClientError<AppRouter>>;
  stop(): void;
}

/**
 * Starts a subscription and records what it yields.
 * `record((handlers) => client.notifications.onEvent.subscribe(undefined, handlers))`
 */
export function record<T>(start: (handlers: Handlers<T>) => { unsubscribe(): void }): Recording<T> {
  const events: T[] = [];
  const waiters = new Set<() => void>();
  let fail: (error: TRPCClientError<AppRouter>) => void = () => {};
  const failure = new Promise<TRPCClientError<AppRouter>>((resolve) => {
    fail = resolve;
  });
  const subscription = start({
    onData(value) {
      events.push(value);
      for (const wake of [...waiters]) wake();
    },
    onError(error) {
      if (error instanceof TRPCClientError) fail(error as TRPCClientError<AppRouter>);
    },
  });

  function next(match: (event: T) => boolean, from = 0, timeoutMs = 5_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = events.slice(from).find(match);
        if (found === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`No matching event within ${timeoutMs} ms; got ${JSON.stringify(events.slice(from))}`),
        );
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  }

  return {
    events,
    mark: () => events.length,
    next: next as Recording<T>['next'],
    failure,
    stop: () => subscription.unsubscribe(),
  };
}
