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

/**
 * Gives `element` the focus if nothing holds it: the control that had it went away (a search hit, a link on the
 * page before), so the keyboard starts again from here rather than from the top of the document.
 */
export function focusIfLost(element: HTMLElement | null | undefined): void {
  const focused = document.activeElement;
  if (element && (focused === null || focused === document.body)) element.focus();
}

/** The part of the window `element` can be seen in: the viewport, cut down by every ancestor that clips. */
function visibleBounds(element: HTMLElement): { top: number; bottom: number } {
  let top = 0;
  let bottom = window.innerHeight;
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    if (getComputedStyle(parent).overflowY === 'visible') continue;
    const box = parent.getBoundingClientRect();
    top = Math.max(top, box.top);
    bottom = Math.min(bottom, box.bottom);
  }
  return { top, bottom };
}

/**
 * Whether a popup hung under `anchor` would be cut off by the bottom of its scroll container (or the window) while
 * there is more room above: then it should open upwards instead.
 */
export function opensUpward(anchor: HTMLElement, popup: HTMLElement): boolean {
  const { top, bottom } = visibleBounds(anchor);
  const box = anchor.getBoundingClientRect();
  const below = bottom - box.bottom;
  // The popup's height, plus its few pixels of gap and a little air.
  return popup.offsetHeight + 8 > below && box.top - top > below;
}
