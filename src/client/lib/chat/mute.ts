import { createEffect, createResource, createSignal, onCleanup } from 'solid-js';
import { type RouterOutputs, trpc } from '../trpc.ts';

export type Mute = NonNullable<RouterOutputs['chat']['muteStatus']>;

/** setTimeout's longest wait; a mute that ends later is shown until news of it or a reload. */
const longestTimerMs = 2 ** 31 - 1;

/**
 * The signed-in person's own mute: read at sign-in, whenever the server says the account changed (an admin muted
 * or unmuted them), and whenever a message is refused; dropped the moment it ends, so the composer comes back by
 * itself.
 */
export function createMuteStatus() {
  const [status, { refetch }] = createResource(() => trpc.chat.muteStatus.query());
  const [endedUntil, setEndedUntil] = createSignal<string | null>(null);
  const current = () => (status.state === 'errored' ? null : (status.latest ?? null));

  createEffect(() => {
    const mute = current();
    if (!mute) return;
    const left = Math.max(Date.parse(mute.until) - Date.now(), 0);
    // A longer wait would fire at once (setTimeout overflows) or, clamped, end a mute that still holds.
    if (left > longestTimerMs) return;
    const timer = setTimeout(() => setEndedUntil(mute.until), left);
    onCleanup(() => clearTimeout(timer));
  });

  return {
    mute: (): Mute | null => {
      const mute = current();
      return mute && mute.until !== endedUntil() ? mute : null;
    },
    recheck: () => void refetch(),
  };
}
