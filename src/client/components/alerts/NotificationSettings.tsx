import { Show } from 'solid-js';
import { useAlerts } from '../../lib/alerts/message-alerts.ts';
import type { AlertSettings } from '../../lib/alerts/settings.ts';

/** A refused permission leaves the box unticked: the box says what is true. */
async function turnDesktop(settings: AlertSettings, box: HTMLInputElement) {
  await settings.setDesktop(box.checked);
  box.checked = settings.desktop();
}

/** Why desktop notifications cannot be turned on here, if they cannot; null when they can. */
function blockedReason(settings: AlertSettings): string | null {
  if (settings.permission() === 'unsupported') return 'This browser cannot show desktop notifications.';
  if (settings.permission() === 'denied') {
    return 'This browser blocks notifications from Parley. Allow them in the site settings (the icon left of the address), then turn them on here.';
  }
  return null;
}

/**
 * Account › Notifications: desktop notifications and a sound for direct messages (and, later, mentions), in this
 * browser. The browser's permission is asked when the person turns notifications on, and only then.
 */
export function NotificationSettings() {
  const alerts = useAlerts();
  return (
    <Show when={alerts()}>
      {(alerts) => {
        const settings = () => alerts().settings;
        return (
          <section class="panel" aria-labelledby="alerts-heading">
            <h2 id="alerts-heading" class="panel-title">
              Notifications
            </h2>
            <p class="panel-text">
              For direct messages, while Parley is in the background or you are in another conversation.
              Nothing for your own messages, the conversation you are reading, or conversations you muted (the
              bell in a conversation's header). These choices are for this browser.
            </p>
            <div class="form form-narrow">
              <div class="check-field">
                <input
                  id="alerts-desktop"
                  class="checkbox"
                  type="checkbox"
                  checked={settings().desktop()}
                  disabled={blockedReason(settings()) !== null}
                  aria-describedby="alerts-desktop-hint"
                  onChange={(event) => void turnDesktop(settings(), event.currentTarget)}
                />
                <label for="alerts-desktop" class="field-label">
                  Desktop notifications
                </label>
                <p id="alerts-desktop-hint" class="field-hint">
                  {blockedReason(settings()) ??
                    'Shows who wrote and what; click one to open the conversation. Your browser asks first.'}
                </p>
              </div>
              <div class="check-field">
                <input
                  id="alerts-sound"
                  class="checkbox"
                  type="checkbox"
                  checked={settings().sound()}
                  aria-describedby="alerts-sound-hint"
                  onChange={(event) => {
                    settings().setSound(event.currentTarget.checked);
                    if (event.currentTarget.checked) alerts().playSound();
                  }}
                />
                <label for="alerts-sound" class="field-label">
                  Play a sound
                </label>
                <p id="alerts-sound-hint" class="field-hint">
                  A short chime when a direct message arrives and you are not reading that conversation.
                </p>
              </div>
            </div>
          </section>
        );
      }}
    </Show>
  );
}
