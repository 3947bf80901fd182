import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { type Reaction, react, reactorsOf, whoReacted } from '../../lib/chat/reactions.ts';
import type { Message } from '../../lib/chat/types.ts';
import { describeError } from '../../lib/errors.ts';
import { ReactIcon } from './ChatIcons.tsx';
import { EmojiPicker } from './EmojiPicker.tsx';

export interface ReactionBarProps {
  messageId: string;
  reactions: Reaction[];
  meId: number | undefined;
  /** The names the page already knows (senders on screen, friends): the rest are asked for on hover or focus. */
  nameOf: (userId: number) => string | undefined;
  /** Whether you may react here now; without it the chips only show. */
  canReact: boolean;
  /** The picker opened from the message's menu. */
  picking: boolean;
  onPickerClose: () => void;
  onChanged: (message: Message) => void;
}

/** One emoji's chip: the count, pressed when yours; who reacted shows on hover and on focus. */
function ReactionChip(props: {
  reaction: Reaction;
  mine: boolean;
  names: () => string[];
  onReveal: () => void;
  onToggle: () => void;
  disabled: boolean;
}) {
  const who = () => whoReacted(props.names(), props.reaction.count);
  const tipId = createUniqueId();
  return (
    <span class="reaction" onPointerEnter={props.onReveal}>
      <button
        type="button"
        class="reaction-chip"
        classList={{ 'reaction-mine': props.mine }}
        aria-pressed={props.mine}
        aria-describedby={tipId}
        aria-label={`${props.reaction.emoji} ${props.reaction.count}: ${props.mine ? 'remove your reaction' : 'react with this too'}`}
        // Focusable even when you may not react: the names still show on focus.
        aria-disabled={props.disabled}
        onFocus={props.onReveal}
        onClick={() => {
          if (!props.disabled) props.onToggle();
        }}
      >
        <span aria-hidden="true">{props.reaction.emoji}</span>
        <span class="reaction-count">{props.reaction.count}</span>
      </button>
      <span class="reaction-tip" role="tooltip" id={tipId}>
        {who()}
      </span>
    </span>
  );
}

/** The reactions under a message, and the picker to add one. */
export function ReactionBar(props: ReactionBarProps) {
  // Names learnt from the server, by user id: the page's own names come from `props.nameOf`.
  const [fetched, setFetched] = createSignal<ReadonlyMap<number, string>>(new Map());
  const [error, setError] = createSignal<string | null>(null);
  const [ownPicker, setOwnPicker] = createSignal(false);
  const mine = (reaction: Reaction) => props.meId !== undefined && reaction.userIds.includes(props.meId);
  const nameOf = (id: number) => (id === props.meId ? 'You' : (props.nameOf(id) ?? fetched().get(id)));

  /** The names known of the reactors shown, first reacted first; the tooltip counts the rest. */
  const known = (reaction: Reaction) =>
    reaction.userIds.flatMap((id) => {
      const name = nameOf(id);
      return name === undefined ? [] : [name];
    });
  const reveal = async (reaction: Reaction) => {
    if (known(reaction).length === reaction.userIds.length) return;
    try {
      const people = await reactorsOf(props.messageId, reaction.emoji);
      setFetched((names) => new Map([...names, ...people.map((p) => [p.id, p.displayName] as const)]));
    } catch {
      // Only the names are missing: the tooltip keeps counting them instead.
    }
  };
  const toggle = async (emoji: string, on: boolean) => {
    setError(null);
    try {
      props.onChanged(await react(props.messageId, emoji, on));
    } catch (cause) {
      setError(describeError(cause).message ?? 'The reaction could not be saved.');
    }
  };
  let addButton: HTMLButtonElement | undefined;
  // Focus goes back to what opened the picker: this bar's button, or (MessageItem's part) the message menu.
  const closePicker = () => {
    if (ownPicker()) queueMicrotask(() => addButton?.focus());
    setOwnPicker(false);
    props.onPickerClose();
  };

  return (
    <div class="reactions">
      <Show when={props.reactions.length > 0}>
        {/* biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form. */}
        <div class="reaction-bar" role="group" aria-label="Reactions">
          <For each={props.reactions}>
            {(reaction) => (
              <ReactionChip
                reaction={reaction}
                mine={mine(reaction)}
                names={() => known(reaction)}
                onReveal={() => void reveal(reaction)}
                onToggle={() => void toggle(reaction.emoji, !mine(reaction))}
                disabled={!props.canReact}
              />
            )}
          </For>
          <Show when={props.canReact}>
            <button
              ref={addButton}
              type="button"
              class="reaction-chip reaction-add"
              aria-label="Add reaction"
              title="Add reaction"
              onClick={() => setOwnPicker(true)}
            >
              <ReactIcon />
            </button>
          </Show>
        </div>
      </Show>
      <Show when={props.canReact && (props.picking || ownPicker())}>
        <EmojiPicker
          onPick={(emoji) => {
            closePicker();
            const present = props.reactions.find((reaction) => reaction.emoji === emoji);
            if (!(present && mine(present))) void toggle(emoji, true);
          }}
          onClose={closePicker}
        />
      </Show>
      <Show when={error()}>
        <p class="message-error" role="alert">
          {error()}
        </p>
      </Show>
    </div>
  );
}
