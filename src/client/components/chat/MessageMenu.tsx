import { createSignal, Show } from 'solid-js';
import { dismissOnOutside, moveFocus, opensUpward } from '../../lib/dismiss.ts';
import { ShieldIcon } from '../Icons.tsx';
import { EditIcon, FlagIcon, MoreIcon, ReactIcon, ReplyIcon, TrashIcon } from './ChatIcons.tsx';

export interface MessageMenuProps {
  /** Names the button and the menu, different for every message: "Actions for Ada's message at 14:03: …". */
  label: string;
  /** Any stored message, where you may write: Reply to it. */
  onReply?: (() => void) | undefined;
  /** Your own messages: Edit and Delete. */
  onEdit?: (() => void) | undefined;
  onDelete?: (() => void) | undefined;
  /** Someone else's message: Report it to the moderators. */
  onReport?: (() => void) | undefined;
  /** For admins, any message: remove it as a moderator. */
  onModerate?: (() => void) | undefined;
  /** Anyone who may write here: open the emoji picker. */
  onReact?: (() => void) | undefined;
}

/**
 * The small menu on a message: Edit and Delete on your own, Reply (after them, so keyboard paths to Edit and
 * Delete stay as they were), Report on someone else's, for admins Delete as moderator, and last Add reaction. A
 * menu button in the WAI-ARIA pattern: arrow keys move between the items, Escape closes it and gives focus back to
 * the button. It opens upwards when there is no room below (the last messages, say).
 */
export function MessageMenu(props: MessageMenuProps) {
  const [open, setOpen] = createSignal(false);
  const [upward, setUpward] = createSignal(false);
  let root: HTMLDivElement | undefined;
  let trigger: HTMLButtonElement | undefined;
  let menu: HTMLDivElement | undefined;
  const items = () => Array.from(menu?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
  const onFocusOut = dismissOnOutside(
    () => root,
    () => setOpen(false),
  );

  const openMenu = (focusLast = false) => {
    setOpen(true);
    if (trigger && menu) setUpward(opensUpward(trigger, menu));
    const list = items();
    (focusLast ? list.at(-1) : list[0])?.focus();
  };
  const choose = (action: () => void) => {
    setOpen(false);
    action();
  };

  return (
    <div
      class="message-actions"
      classList={{ 'message-actions-open': open() }}
      ref={root}
      onFocusOut={onFocusOut}
    >
      <button
        ref={trigger}
        type="button"
        class="icon-button message-actions-button"
        // Reached from its message (Enter), not by Tab: the message list is one Tab stop.
        tabIndex={-1}
        aria-label={props.label}
        aria-haspopup="menu"
        aria-expanded={open()}
        onClick={() => (open() ? setOpen(false) : openMenu())}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            openMenu(event.key === 'ArrowUp');
          }
        }}
      >
        <MoreIcon />
      </button>
      <Show when={open()}>
        <div
          ref={menu}
          class="menu"
          classList={{ 'menu-upward': upward() }}
          role="menu"
          aria-label={props.label}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
              event.preventDefault();
              moveFocus(items(), event.key === 'ArrowDown' ? 1 : -1);
            } else if (event.key === 'Escape') {
              event.stopPropagation();
              setOpen(false);
              trigger?.focus();
            } else if (event.key === 'Tab') {
              setOpen(false);
            }
          }}
        >
          <Show when={props.onEdit}>
            {(onEdit) => (
              <button type="button" role="menuitem" class="menu-item" onClick={() => choose(onEdit())}>
                <EditIcon />
                Edit
              </button>
            )}
          </Show>
          <Show when={props.onDelete}>
            {(onDelete) => (
              <button
                type="button"
                role="menuitem"
                class="menu-item menu-item-danger"
                onClick={() => choose(onDelete())}
              >
                <TrashIcon />
                Delete
              </button>
            )}
          </Show>
          <Show when={props.onReply}>
            {(onReply) => (
              <button type="button" role="menuitem" class="menu-item" onClick={() => choose(onReply())}>
                <ReplyIcon />
                Reply
              </button>
            )}
          </Show>
          <Show when={props.onReport}>
            {(onReport) => (
              <button type="button" role="menuitem" class="menu-item" onClick={() => choose(onReport())}>
                <FlagIcon />
                Report
              </button>
            )}
          </Show>
          <Show when={props.onModerate}>
            {(onModerate) => (
              <button
                type="button"
                role="menuitem"
                class="menu-item menu-item-danger"
                onClick={() => choose(onModerate())}
              >
                <ShieldIcon />
                Delete as moderator
              </button>
            )}
          </Show>
          <Show when={props.onReact}>
            {(onReact) => (
              <button type="button" role="menuitem" class="menu-item" onClick={() => choose(onReact())}>
                <ReactIcon />
                Add reaction
              </button>
            )}
          </Show>
        </div>
      </Show>
    </div>
  );
}
