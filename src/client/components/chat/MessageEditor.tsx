import { createSignal, createUniqueId, onMount, Show } from 'solid-js';
import { maxMessageLength } from '../../../shared/chat.ts';
import { describeError } from '../../lib/errors.ts';
import { createMentionPicker } from './MentionPicker.tsx';
import { fitToContent, isSubmitKey } from './textarea.ts';

/**
 * Editing one of your messages in place: Enter saves, Shift+Enter breaks the line, Escape cancels; an `@` offers
 * the room's people, as in the composer.
 */
export function MessageEditor(props: {
  initial: string;
  /** The message's room, whose readers the `@` list offers. */
  roomId?: number | undefined;
  onSave: (body: string) => Promise<void>;
  onCancel: () => void;
}) {
  const id = createUniqueId();
  const [text, setText] = createSignal(props.initial);
  const [saving, setSaving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let textarea: HTMLTextAreaElement | undefined;
  const mentions = createMentionPicker({
    roomId: () => props.roomId,
    textarea: () => textarea,
    replace: (value, caret) => {
      setText(value);
      if (!textarea) return;
      textarea.value = value;
      textarea.setSelectionRange(caret, caret);
      fitToContent(textarea);
    },
  });

  onMount(() => {
    if (!textarea) return;
    fitToContent(textarea);
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  });

  async function save() {
    const body = text().trim();
    if (body === props.initial.trim()) return props.onCancel();
    if (!body) return setError('A message cannot be empty: delete it instead.');
    if (body.length > maxMessageLength)
      return setError(`A message is at most ${maxMessageLength} characters.`);
    setSaving(true);
    setError(null);
    try {
      await props.onSave(body);
    } catch (cause) {
      setError(describeError(cause).message ?? 'The change could not be saved.');
      textarea?.focus();
    } finally {
      setSaving(false);
    }
  }

  return (
    <form
      class="message-editor"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label class="sr-only" for={id}>
        Edit message
      </label>
      <textarea
        ref={textarea}
        id={id}
        class="message-editor-input"
        value={text()}
        rows={1}
        aria-invalid={error() ? true : undefined}
        aria-describedby={`${id}-hint${error() ? ` ${id}-error` : ''}`}
        disabled={saving()}
        {...mentions.aria()}
        onBlur={() => mentions.close()}
        onClick={() => mentions.follow()}
        onKeyUp={(event) => {
          if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) mentions.follow();
        }}
        onInput={(event) => {
          setText(event.currentTarget.value);
          mentions.follow();
          fitToContent(event.currentTarget);
        }}
        onKeyDown={(event) => {
          // The list, while open, takes the arrows, Enter, Tab and Escape.
          if (mentions.onKeyDown(event)) {
            event.stopPropagation();
            return;
          }
          if (isSubmitKey(event)) {
            event.preventDefault();
            void save();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            props.onCancel();
          }
        }}
      />
      {mentions.view()}
      <p class="message-editor-hint" id={`${id}-hint`}>
        Escape to{' '}
        <button type="button" class="link-button" onClick={() => props.onCancel()}>
          cancel
        </button>{' '}
        · Enter to{' '}
        <button type="submit" class="link-button" disabled={saving()}>
          save
        </button>
      </p>
      <Show when={error()}>
        <p class="message-error" id={`${id}-error`} role="alert">
          {error()}
        </p>
      </Show>
    </form>
  );
}
