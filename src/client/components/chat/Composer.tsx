import { createSignal, createUniqueId, onMount, Show } from 'solid-js';
import { maxMessageLength } from '../../../shared/chat.ts';
import type { ImageTray } from '../../lib/chat/image-tray.ts';
import { ImageIcon, SendIcon } from './ChatIcons.tsx';
import { createMentionPicker } from './MentionPicker.tsx';
import { fitToContent, isSubmitKey } from './textarea.ts';

/** The counter appears this close to the limit, so it does not distract the rest of the time. */
const counterFrom = maxMessageLength - 500;
/** The server shows a typing signal for five seconds: renewing it every three keeps it from flickering. */
const typingEveryMs = 3_000;

export interface ComposerProps {
  /** Names the textarea: "Message #Public room", "Message Ada". */
  label: string;
  placeholder: string;
  draft?: string;
  onDraft?: (text: string) => void;
  onSend: (body: string) => void;
  onTyping: () => void;
  /** The room written to: given where people can be mentioned (an `@` offers them). */
  roomId?: number;
  /** Escape in the textarea: given while there is something to leave (a reply being written). */
  onEscape?: (() => void) | undefined;
  /** Where pasted and picked images go; without it the composer takes words only. */
  tray?: ImageTray | undefined;
}

const imageTypes = 'image/png,image/jpeg,image/webp,image/gif';

/** The image files among pasted or dropped things (a screenshot pastes as a file). */
export const imageFiles = (files: FileList | null | undefined) =>
  [...(files ?? [])].filter((file) => file.type.startsWith('image/'));

/** Where messages are written: Enter sends, Shift+Enter breaks the line, a counter shows near the limit. */
export function Composer(props: ComposerProps) {
  const id = createUniqueId();
  const [text, setText] = createSignal(props.draft ?? '');
  const [problem, setProblem] = createSignal<string | null>(null);
  let textarea: HTMLTextAreaElement | undefined;
  let picker: HTMLInputElement | undefined;
  let lastTyping = 0;
  const withImages = () => props.tray?.images.some((image) => image.status === 'ready') ?? false;
  const uploading = () => props.tray?.busy() ?? false;

  const mentions = createMentionPicker({
    roomId: () => props.roomId,
    textarea: () => textarea,
    replace: (value, caret) => {
      update(value);
      if (!textarea) return;
      textarea.value = value;
      textarea.setSelectionRange(caret, caret);
      fitToContent(textarea);
    },
  });

  const length = () => text().trim().length;
  const over = () => length() > maxMessageLength;

  onMount(() => {
    if (!textarea) return;
    fitToContent(textarea);
    // On a phone, focusing would open the keyboard over the messages the reader came to see.
    if (window.matchMedia('(pointer: fine)').matches) textarea.focus({ preventScroll: true });
  });

  const update = (value: string) => {
    setText(value);
    props.onDraft?.(value);
    if (problem() && !over() && !uploading()) setProblem(null);
  };

  const send = () => {
    const body = text().trim();
    if (!body && !withImages()) return;
    if (uploading()) {
      setProblem('Wait a moment: the images are still uploading.');
      return;
    }
    if (over()) {
      setProblem(`A message is at most ${maxMessageLength} characters: this one is ${length()}.`);
      return;
    }
    props.onSend(body);
    mentions.close();
    update('');
    lastTyping = 0;
    if (textarea) fitToContent(textarea);
    textarea?.focus();
  };

  return (
    <form
      class="composer"
      classList={{ 'composer-invalid': over() }}
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <Show when={props.tray}>
        {(tray) => (
          <>
            <input
              ref={picker}
              type="file"
              accept={imageTypes}
              multiple
              hidden
              onChange={(event) => {
                tray().add(imageFiles(event.currentTarget.files));
                event.currentTarget.value = '';
              }}
            />
            <button
              type="button"
              class="icon-button composer-attach"
              aria-label="Attach images"
              title="Attach images (or paste, or drop them here)"
              onClick={() => picker?.click()}
            >
              <ImageIcon />
            </button>
          </>
        )}
      </Show>
      <label class="sr-only" for={id}>
        {props.label}
      </label>
      <textarea
        ref={textarea}
        id={id}
        name="message"
        class="composer-input"
        rows={1}
        placeholder={props.placeholder}
        value={text()}
        aria-invalid={over() ? true : undefined}
        aria-describedby={`${id}-count ${id}-problem`}
        {...mentions.aria()}
        enterkeyhint="send"
        onBlur={() => mentions.close()}
        onClick={() => mentions.follow()}
        onKeyUp={(event) => {
          if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) mentions.follow();
        }}
        onPaste={(event) => {
          const files = imageFiles(event.clipboardData?.files);
          if (!props.tray || files.length === 0) return;
          event.preventDefault();
          props.tray.add(files);
        }}
        onInput={(event) => {
          update(event.currentTarget.value);
          mentions.follow();
          fitToContent(event.currentTarget);
          if (event.currentTarget.value.trim() && Date.now() - lastTyping > typingEveryMs) {
            lastTyping = Date.now();
            props.onTyping();
          }
        }}
        onKeyDown={(event) => {
          if (mentions.onKeyDown(event)) return;
          if (event.key === 'Escape' && props.onEscape) {
            event.preventDefault();
            props.onEscape();
            return;
          }
          if (!isSubmitKey(event)) return;
          event.preventDefault();
          send();
        }}
      />
      <span
        id={`${id}-count`}
        class="composer-count"
        classList={{ 'composer-count-over': over() }}
        hidden={length() < counterFrom}
      >
        {over()
          ? `${length() - maxMessageLength} over the limit`
          : `${maxMessageLength - length()} characters left`}
      </span>
      {mentions.view()}
      <button
        type="submit"
        class="composer-send"
        aria-label="Send message"
        disabled={(!length() && !withImages()) || over() || uploading()}
      >
        <SendIcon />
      </button>
      <Show when={problem()}>
        <p id={`${id}-problem`} class="composer-problem" role="alert">
          {problem()}
        </p>
      </Show>
    </form>
  );
}
