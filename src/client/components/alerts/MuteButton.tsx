import { createSignal, Show } from 'solid-js';
import { useChat } from '../../lib/chat/session.ts';
import { describeError } from '../../lib/errors.ts';
import { BellOffIcon, BellRingIcon } from './AlertIcons.tsx';

/**
 * Mutes or unmutes the open conversation for the person, on all their devices: it keeps its unread count, and
 * never notifies or chimes. A toggle button, so a screen reader says whether it is on.
 */
export function MuteButton(props: { roomId: number }) {
  const chat = useChat();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const muted = () => chat()?.room(props.roomId)?.muted ?? false;
  const toggle = async () => {
    const session = chat();
    if (!session || busy()) return;
    setBusy(true);
    setError(null);
    try {
      await session.setMuted(props.roomId, !muted());
    } catch (cause) {
      setError(describeError(cause).message ?? 'Could not change this. Try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Show when={chat()?.room(props.roomId)}>
      <div class="mute-control">
        <button
          type="button"
          class="icon-button"
          classList={{ 'icon-button-active': muted() }}
          aria-pressed={muted()}
          aria-label="Mute conversation"
          title={muted() ? 'Muted: no notifications or sound. Click to unmute.' : 'Mute conversation'}
          disabled={busy()}
          onClick={toggle}
        >
          <Show when={muted()} fallback={<BellRingIcon />}>
            <BellOffIcon />
          </Show>
        </button>
        <Show when={error()}>
          {(message) => (
            <p class="field-error" role="alert">
              {message()}
            </p>
          )}
        </Show>
      </div>
    </Show>
  );
}
