import {
  type Accessor,
  createResource,
  createSignal,
  createUniqueId,
  For,
  type JSX,
  onCleanup,
  Show,
} from 'solid-js';
import { insertMention, mentionAt } from '../../lib/chat/mention-query.ts';
import type { PublicUser } from '../../lib/chat/types.ts';
import { trpc } from '../../lib/trpc.ts';
import { Avatar } from '../Avatar.tsx';

/** What the composer tells the picker, and how the picker writes back. */
interface MentionSource {
  roomId: Accessor<number | undefined>;
  textarea: () => HTMLTextAreaElement | undefined;
  replace: (text: string, caret: number) => void;
}

export interface MentionPicker {
  /** After each input or caret move: opens, narrows or closes the list. */
  follow(): void;
  /** Keys for the list while it is open (true when it took the key). */
  onKeyDown(event: KeyboardEvent): boolean;
  close(): void;
  /**
   * The textarea's ARIA: it stays a textbox (a combobox cannot be multi-line), which autocompletes from the list it
   * controls while it is open, pointing at the active option.
   */
  aria(): JSX.TextareaHTMLAttributes<HTMLTextAreaElement>;
  view(): JSX.Element;
}

/**
 * The list of people offered after an `@` in the composer: people who can read the room (the server decides,
 * friends and recent speakers first). ArrowUp/ArrowDown move, Enter or Tab pick, Escape closes; the textarea keeps
 * the focus and points at the active option with `aria-activedescendant`.
 */
const askDelayMs = 120;

export function createMentionPicker(source: MentionSource): MentionPicker {
  const id = createUniqueId();
  const [typed, setTyped] = createSignal<{ start: number; query: string } | null>(null);
  const [active, setActive] = createSignal(0);
  // What the server is asked lags the typing a moment: one question per pause, not per key (queries have a budget).
  const [asked, setAsked] = createSignal<string | null>(null);
  let askTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(askTimer));
  const [people] = createResource(
    () => {
      const roomId = source.roomId();
      const query = asked();
      return roomId !== undefined && query !== null ? { roomId, query } : false;
    },
    async (input) => (await trpc.chat.mentionCandidates.query(input)).items,
  );
  const shown = () => (typed() ? (people.latest ?? []) : []);
  const open = () => shown().length > 0;
  const optionId = (index: number) => `${id}-option-${index}`;

  const close = () => setTyped(null);
  const pick = (person: PublicUser) => {
    const at = typed();
    const textarea = source.textarea();
    if (!at || !textarea) return;
    const next = insertMention(textarea.value, at.start, textarea.selectionStart, person.username);
    close();
    source.replace(next.text, next.caret);
  };

  return {
    follow() {
      const textarea = source.textarea();
      const at = textarea ? mentionAt(textarea.value, textarea.selectionStart) : null;
      if (at?.query !== typed()?.query || at?.start !== typed()?.start) setActive(0);
      setTyped(at);
      clearTimeout(askTimer);
      if (at) askTimer = setTimeout(() => setAsked(at.query), askDelayMs);
    },
    onKeyDown(event) {
      if (!open()) return false;
      const count = shown().length;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        setActive((index) => (index + (event.key === 'ArrowDown' ? 1 : count - 1)) % count);
      } else if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
        const person = shown()[active()];
        if (person) pick(person);
      } else if (event.key === 'Escape') {
        close();
      } else {
        return false;
      }
      event.preventDefault();
      return true;
    },
    close,
    aria: () => ({
      'aria-autocomplete': 'list',
      'aria-controls': open() ? `${id}-list` : undefined,
      'aria-activedescendant': open() ? optionId(active()) : undefined,
    }),
    view: () => (
      <Show when={open()}>
        <div id={`${id}-list`} class="mention-picker" role="listbox" aria-label="People to mention">
          <For each={shown()}>
            {(person, index) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard picks from the textarea, which keeps the focus.
              <div
                id={optionId(index())}
                role="option"
                tabIndex={-1}
                class="mention-option"
                aria-selected={index() === active()}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => pick(person)}
              >
                <Avatar name={person.displayName} username={person.username} url={person.avatarUrl} />
                <span class="mention-option-name">{person.displayName}</span>
                <span class="mention-option-username">@{person.username}</span>
              </div>
            )}
          </For>
        </div>
      </Show>
    ),
  };
}
