import { createSignal, onCleanup } from 'solid-js';

/** Whether this tab is in front of the person now: visible, and holding the focus. */
export const isInFront = () => document.visibilityState === 'visible' && document.hasFocus();

/** The same, as a signal that follows focus and visibility changes. Call inside a reactive owner. */
export function createWindowFocus() {
  const [focused, setFocused] = createSignal(isInFront());
  const update = () => setFocused(isInFront());
  window.addEventListener('focus', update);
  window.addEventListener('blur', update);
  document.addEventListener('visibilitychange', update);
  onCleanup(() => {
    window.removeEventListener('focus', update);
    window.removeEventListener('blur', update);
    document.removeEventListener('visibilitychange', update);
  });
  return focused;
}
