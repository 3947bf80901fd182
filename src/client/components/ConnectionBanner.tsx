import { Show } from 'solid-js';
import { connection } from '../lib/trpc.ts';

/** Says so when the live connection dropped and is being restored; silent otherwise. */
export function ConnectionBanner() {
  return (
    <div class="connection-banner-slot" role="status" aria-live="polite">
      <Show when={connection() === 'reconnecting'}>
        <p class="connection-banner">
          <span class="spinner" aria-hidden="true" />
          Connection lost. Reconnecting…
        </p>
      </Show>
    </div>
  );
}
