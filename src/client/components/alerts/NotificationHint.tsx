import { Show } from 'solid-js';
import { useAlerts } from '../../lib/alerts/message-alerts.ts';
import { BellRingIcon } from './AlertIcons.tsx';

/**
 * After a first direct message, while desktop notifications were never offered: offers them once, with the
 * browser's question only when the person says yes. "Not now" puts it away for good in this browser.
 */
export function NotificationHint() {
  const alerts = useAlerts();
  return (
    <Show when={alerts()?.offerNotifications() && alerts()}>
      {(alerts) => (
        <aside class="alert-hint" aria-labelledby="alert-hint-text">
          <BellRingIcon />
          <p id="alert-hint-text" class="alert-hint-text">
            Get a desktop notification when a friend writes to you while Parley is in the background?
          </p>
          <div class="alert-hint-actions">
            <button
              type="button"
              class="button button-primary"
              onClick={() => void alerts().settings.setDesktop(true).finally(alerts().settings.dismissHint)}
            >
              Turn on notifications
            </button>
            <button type="button" class="button button-ghost" onClick={alerts().settings.dismissHint}>
              Not now
            </button>
          </div>
        </aside>
      )}
    </Show>
  );
}
