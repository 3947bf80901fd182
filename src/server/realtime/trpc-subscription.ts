import { isTrackedEnvelope } from '@trpc/server';

/** The `result` of one subscription event, as tRPC's adapter sends it: a tracked event carries its id twice. */
export function eventResult(value: unknown) {
  if (!isTrackedEnvelope(value)) return { type: 'data' as const, data: value };
  const [id, data] = value;
  return { type: 'data' as const, data: { id, data }, id };
}

export const isAbortError = (cause: unknown) =>
  typeof cause === 'object' && cause !== null && (cause as { name?: unknown }).name === 'AbortError';

export interface PumpHooks {
  emit(value: unknown): void;
  /** A failure the client is not told of: a rejection after the stop, or a teardown that threw after a clean end. */
  report(cause: unknown): void;
}

/**
 * Sends a subscription's events until its source ends, fails or `controller` aborts (the client stopped it, or
 * the socket closed), then tears the source down, as tRPC's adapter does. Resolves with the failure the client
 * must be told of, if any.
 *
 * Written for memory: a live subscription that waits holds one pending step (a promise and its resolver), not
 * tRPC's race of wrapped promises and disposal scopes; with 10,000 idle sockets that difference is the bulk of
 * what each one costs.
 */
export async function pumpSubscription(
  source: AsyncIterable<unknown>,
  controller: AbortController,
  hooks: PumpHooks,
): Promise<{ failure: unknown } | null> {
  const { signal } = controller;
  const iterator = source[Symbol.asyncIterator]();
  const waiting = new WaitingStep();
  // An object with `handleEvent`, not a closure: nothing more per subscription than the step itself.
  signal.addEventListener('abort', waiting, { once: true });
  let completed = false;
  let failed: { failure: unknown } | null = null;
  try {
    while (!signal.aborted) {
      const step = await waiting.next(iterator, signal, hooks);
      if (step === 'stopped') break;
      if (step.done) {
        completed = true;
        break;
      }
      hooks.emit(step.value);
    }
  } catch (cause) {
    failed = { failure: cause };
  }
  signal.removeEventListener('abort', waiting);
  if (!completed && !signal.aborted) controller.abort();
  try {
    await iterator.return?.();
  } catch (cause) {
    hooks.report(cause);
  }
  return failed;
}

/** The step a subscription waits for: its source's next value, or the stop (the abort event), whichever is first. */
class WaitingStep {
  private wake: ((step: 'stopped') => void) | null = null;

  next(iterator: AsyncIterator<unknown>, signal: AbortSignal, hooks: PumpHooks) {
    return new Promise<IteratorResult<unknown> | 'stopped'>((resolve, reject) => {
      this.wake = resolve;
      iterator.next().then(resolve, (cause: unknown) => {
        // Once stopped nobody waits for this step: what it rejects with is reported, unless it is the stop.
        if (!signal.aborted) reject(cause);
        else if (!isAbortError(cause)) hooks.report(cause);
      });
    });
  }

  handleEvent(): void {
    this.wake?.('stopped');
  }
}
