import { createSignal, Show } from 'solid-js';
import { dismissOnOutside, moveFocus } from '../../lib/dismiss.ts';
import { EditIcon, MoreIcon, TrashIcon } from './ChatIcons.tsx';

/**
 * The small menu on one of your own messages: Edit and Delete. A menu button in the WAI-ARIA pattern: arrow keys
 * move between the items, Escape closes it and gives focus back to the button.
 */
export function MessageMenu(props: { onEdit: () => void; onDelete: () => void }) {
  const [open, setOpen] = createSignal(false);
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
        aria-label="Message actions"
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
          role="menu"
          aria-label="Message actions"
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
          <button type="button" role="menuitem" class="menu-item" onClick={() => choose(props.onEdit)}>
            <EditIcon />
            Edit
          </button>
          <button
            type="button"
            role="menuitem"
            class="menu-item menu-item-danger"
            onClick={() => choose(props.onDelete)}
          >
            <TrashIcon />
            Delete
          </button>
        </div>
      </Show>
    </div>
  );
}
