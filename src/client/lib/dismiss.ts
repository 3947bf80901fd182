import { onCleanup } from 'solid-js';

/**
 * Closes a popover (search results, the notifications panel) when a pointer goes down outside it or the keyboard
 * takes focus out of it. Escape pressed inside calls `onEscape` (if given), which closes it and decides where
 * focus goes.
 * Returns the `focusout` handler for the popover's root.
 */
export function dismissOnOutside(
  root: () => HTMLElement | undefined,
  close: () => void,
  onEscape?: (event: KeyboardEvent) => void,
) {
  const onPointerDown = (event: PointerEvent) => {
    const element = root();
    if (element && event.target instanceof Node && !element.contains(event.target)) close();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const focused = document.activeElement;
    if (event.key === 'Escape' && !event.defaultPrevented && focused && root()?.contains(focused)) {
      onEscape?.(event);
    }
  };
  document.addEventListener('pointerdown', onPointerDown);
  document.addEventListener('keydown', onKeyDown);
  onCleanup(() => {
    document.removeEventListener('pointerdown', onPointerDown);
    document.removeEventListener('keydown', onKeyDown);
  });
  return (event: FocusEvent) => {
    const next = event.relatedTarget;
    if (next instanceof Node && !root()?.contains(next)) close();
  };
}

/** Moves focus to the next or previous of `items` (wrapping round), from whichever holds focus now. */
export function moveFocus(items: HTMLElement[], step: 1 | -1): void {
  if (items.length === 0) return;
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next = at < 0 ? (step === 1 ? 0 : items.length - 1) : (at + step + items.length) % items.length;
  items[next]?.focus();
}
