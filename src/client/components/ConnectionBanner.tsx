import { createEffect, createSignal, Match, on, onCleanup, Switch } from 'solid-js';
import { connection } from '../lib/trpc.ts';

/** How long "Back online" stays up once the connection is restored. */
const backOnlineMs = 3_000;

/** Whether the browser believes it has a network at all (`online`/`offline` events). */
function createNetworkStatus() {
  const [online, setOnline] = createSignal(navigator.onLine);
  const update = () => setOnline(navigator.onLine);
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  onCleanup(() => {
    window.removeEventListener('online', update);
    window.removeEventListener('offline', update);
  });
  return online;
}

/**
 * Says so when the live connection (or the network) is lost and being restored, then briefly that it is back;
 * silent otherwise.
 */
export function ConnectionBanner() {
  const network = createNetworkStatus();
  const lost = () => !network() || connection() === 'reconnecting';
  const [back, setBack] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  createEffect(
    on(lost, (isLost, wasLost) => {
      clearTimeout(timer);
      if (isLost || !wasLost) {
        setBack(false);
        return;
      }
      setBack(true);
      timer = setTimeout(() => setBack(false), backOnlineMs);
    }),
  );

  return (
    <div class="connection-banner-slot" role="status" aria-live="polite">
      <Switch>
        <Match when={lost()}>
          <p class="connection-banner">
            <span class="spinner" aria-hidden="true" />
            {network() ? 'Connection lost. Reconnecting…' : 'You are offline. Reconnecting…'}
          </p>
        </Match>
        <Match when={back()}>
          <p class="connection-banner connection-banner-back">Back online</p>
        </Match>
      </Switch>
    </div>
  );
}
