import { createMemo, createSignal, For, onMount, Show } from 'solid-js';
import { emojiName, type ReactionEmoji, reactionEmoji, searchEmoji } from '../../../shared/emoji.ts';
import { recentEmoji } from '../../lib/chat/reactions.ts';
import { dismissOnOutside, moveFocus, opensUpward } from '../../lib/dismiss.ts';

export interface EmojiPickerProps {
  onPick: (emoji: string) => void;
  onClose: () => void;
}

const nameOf = (emoji: string) =>
  emojiName(emoji as ReactionEmoji)
    .split(' ')
    .slice(0, 2)
    .join(' ');

/**
 * A small popover: a search field (Enter takes the first match), the emoji used lately in this browser, then all
 * of them. Arrow keys move between emoji; Escape closes it and gives focus back to where it was opened from.
 */
export function EmojiPicker(props: EmojiPickerProps) {
  const [query, setQuery] = createSignal('');
  const found = createMemo(() => searchEmoji(query()));
  const recent = recentEmoji();
  let root: HTMLDivElement | undefined;
  let search: HTMLInputElement | undefined;
  const onFocusOut = dismissOnOutside(
    () => root,
    props.onClose,
    (event) => {
      event.preventDefault();
      props.onClose();
    },
  );
  const [upward, setUpward] = createSignal(false);
  onMount(() => {
    // Below the newest messages there is no room: open upwards there, as the message menu does.
    const anchor = root?.parentElement;
    if (root && anchor) setUpward(opensUpward(anchor, root));
    search?.focus();
  });
  const buttons = () => Array.from(root?.querySelectorAll<HTMLElement>('.emoji-option') ?? []);

  const Option = (option: { emoji: string }) => (
    <button
      type="button"
      class="emoji-option"
      aria-label={nameOf(option.emoji)}
      title={nameOf(option.emoji)}
      onClick={() => props.onPick(option.emoji)}
    >
      {option.emoji}
    </button>
  );

  return (
    <div
      ref={root}
      class="emoji-picker"
      classList={{ 'emoji-picker-upward': upward() }}
      role="dialog"
      aria-label="Add reaction"
      onFocusOut={onFocusOut}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          props.onClose();
        } else if (['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp'].includes(event.key)) {
          if (event.target === search && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) return;
          event.preventDefault();
          event.stopPropagation();
          const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : -1;
          moveFocus(buttons(), step);
        }
      }}
    >
      <label class="emoji-search">
        <span class="sr-only">Search emoji</span>
        <input
          ref={search}
          type="search"
          class="input"
          placeholder="Search emoji"
          autocomplete="off"
          value={query()}
          onInput={(event) => setQuery(event.currentTarget.value)}
          onKeyDown={(event) => {
            const first = found()[0];
            if (event.key === 'Enter' && first) {
              event.preventDefault();
              props.onPick(first);
            }
          }}
        />
      </label>
      <Show when={!query() && recent.length > 0}>
        <fieldset class="emoji-set">
          <legend class="emoji-heading">Recent</legend>
          <div class="emoji-grid">
            <For each={recent}>{(emoji) => <Option emoji={emoji} />}</For>
          </div>
        </fieldset>
      </Show>
      <fieldset class="emoji-set">
        <legend class="emoji-heading">
          {query() ? `${found().length} found` : `All emoji (${reactionEmoji.length})`}
        </legend>
        <div class="emoji-grid">
          <For each={found()} fallback={<p class="emoji-none">No emoji match “{query()}”.</p>}>
            {(emoji) => <Option emoji={emoji} />}
          </For>
        </div>
      </fieldset>
    </div>
  );
}
