import { liveTargetOf } from './live-target.ts';

/**
 * Runs `stop` when `signal` aborts — at once if it already has. A subscription can be stopped (its socket closed)
 * while its setup still awaits, and a listener added after the abort would never fire: what it should have
 * undone would stay for good. A socket subscription's hooks share its one listener (`LiveTarget.onStop`).
 */
export function onAbort(signal: AbortSignal | undefined, stop: () => void): void {
  if (!signal) return;
  if (signal.aborted) stop();
  else {
    const target = liveTargetOf(signal);
    if (target) target.onStop(stop);
    else signal.addEventListener('abort', stop, { once: true });
  }
}
