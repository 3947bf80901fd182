/**
 * The message list is one Tab stop (a roving tabindex, as in a WAI-ARIA feed): Tab enters at the current message,
 * the arrow keys, Home and End move between messages, and Enter (or the context-menu key, Shift+F10) opens the
 * message's actions. Without this, every message's "Actions for…" button was a Tab stop of its own. On a touch
 * screen a tap on a message (or a long press) opens its actions, in place of a "…" button on every message.
 * R replies to the current message, as in Slack and Element.
 */
const messageSelector = ':scope > li.message';
/** What a tap inside a message does by itself (follow a link, press a button), so it opens no menu. */
const ownTapTargets = 'a, button, input, textarea, select, summary, .menu, .message-actions, .emoji-picker';

/** The message's actions menu, opened as if its "…" button were pressed. */
const openActions = (message: Element) =>
  message.querySelector<HTMLElement>('.message-actions-button')?.click();

export interface MessageKeys {
  /** R on a message: reply to the message with this `data-message-id`. */
  onReply?: (messageId: string) => void;
}

export function rovingMessages(list: HTMLElement, keys: MessageKeys = {}): () => void {
  const messages = () => Array.from(list.querySelectorAll<HTMLElement>(messageSelector));
  const makeCurrent = (message: HTMLElement) => {
    for (const each of messages()) each.tabIndex = each === message ? 0 : -1;
  };
  const move = (message: HTMLElement | undefined) => {
    if (!message) return;
    makeCurrent(message);
    message.focus({ preventScroll: true });
    message.scrollIntoView({ block: 'nearest' });
  };

  // A list that changed keeps exactly one entry point: the current message, else the newest one.
  const keepEntry = () => {
    const all = messages();
    if (all.length && !all.some((message) => message.tabIndex === 0)) makeCurrent(all[all.length - 1]!);
  };
  const observer = new MutationObserver(keepEntry);
  observer.observe(list, { childList: true });
  keepEntry();

  const onFocusIn = (event: FocusEvent) => {
    const message = (event.target as HTMLElement).closest<HTMLElement>('li.message');
    if (message && message.parentElement === list) makeCurrent(message);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const message = event.target as HTMLElement;
    if (!message.matches('li.message') || message.parentElement !== list) return;
    const all = messages();
    const index = all.indexOf(message);
    const open =
      event.key === 'Enter' || event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey);
    const target = {
      ArrowUp: all[index - 1],
      ArrowDown: all[index + 1],
      Home: all[0],
      End: all[all.length - 1],
    }[event.key];
    const reply = event.key.toLowerCase() === 'r' && !event.ctrlKey && !event.metaKey && !event.altKey;
    if (open) openActions(message);
    else if (reply && message.dataset.messageId && keys.onReply) keys.onReply(message.dataset.messageId);
    else if (target) move(target);
    else if (!['ArrowUp', 'ArrowDown', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
  };

  // On a touch screen there is no "…" button in sight: a tap on a message, or a long press, opens its actions.
  const touch = window.matchMedia('(hover: none)');
  const tappedMessage = (event: Event) => {
    const target = event.target as HTMLElement;
    const message = target.closest<HTMLElement>('li.message');
    if (!touch.matches || !message || message.parentElement !== list || target.closest(ownTapTargets))
      return null;
    return message;
  };
  const onTap = (event: MouseEvent) => {
    const message = tappedMessage(event);
    // Selecting words to copy is not a tap on the message.
    if (message && !window.getSelection()?.toString()) openActions(message);
  };
  const onLongPress = (event: MouseEvent) => {
    const message = tappedMessage(event);
    if (!message) return;
    event.preventDefault();
    openActions(message);
  };

  list.addEventListener('focusin', onFocusIn);
  list.addEventListener('keydown', onKeyDown);
  list.addEventListener('click', onTap);
  list.addEventListener('contextmenu', onLongPress);
  return () => {
    observer.disconnect();
    list.removeEventListener('focusin', onFocusIn);
    list.removeEventListener('keydown', onKeyDown);
    list.removeEventListener('click', onTap);
    list.removeEventListener('contextmenu', onLongPress);
  };
}
