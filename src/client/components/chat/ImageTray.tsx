import { createSignal, For, Show } from 'solid-js';
import type { ImageTray, TrayImage } from '../../lib/chat/image-tray.ts';
import { CloseIcon } from '../Icons.tsx';
import { ImageIcon } from './ChatIcons.tsx';

/** The images waiting to go with the next message: each a preview chip with its upload's progress and a remove. */
export function ImageTrayChips(props: { tray: ImageTray }) {
  return (
    <Show when={props.tray.images.length > 0 || props.tray.notice()}>
      <div class="image-tray">
        <ul class="image-tray-list" aria-label="Images to send">
          <For each={props.tray.images}>{(image) => <ImageChip tray={props.tray} image={image} />}</For>
        </ul>
        <Show when={props.tray.notice()}>
          <p class="image-tray-notice" role="alert">
            {props.tray.notice()}
          </p>
        </Show>
      </div>
    </Show>
  );
}

function ImageChip(props: { tray: ImageTray; image: TrayImage }) {
  const [editing, setEditing] = createSignal(false);
  // A file the browser cannot show (not an image after all): a plain picture sign, not a broken image.
  const [unshowable, setUnshowable] = createSignal(false);
  const alt = () => props.image.uploaded?.alt ?? '';
  let describeButton: HTMLButtonElement | undefined;
  const closeEditor = () => {
    setEditing(false);
    queueMicrotask(() => describeButton?.focus());
  };
  return (
    <li class="image-chip" classList={{ 'image-chip-failed': props.image.status === 'failed' }}>
      <Show
        when={!unshowable()}
        fallback={
          <span class="image-chip-preview image-chip-unshowable" aria-hidden="true">
            <ImageIcon />
          </span>
        }
      >
        <img
          class="image-chip-preview"
          src={props.image.previewUrl}
          alt={alt()}
          onError={() => setUnshowable(true)}
        />
      </Show>
      <span class="image-chip-name">{props.image.name}</span>
      <Show when={props.image.status === 'uploading'}>
        <progress
          class="image-chip-progress"
          max="1"
          value={props.image.progress}
          aria-label={`Uploading ${props.image.name}`}
        />
      </Show>
      <Show when={props.image.status === 'ready' && !editing()}>
        <button
          ref={describeButton}
          type="button"
          class="link-button image-chip-describe"
          title={alt() || undefined}
          aria-label={`${alt() ? 'Edit the description of' : 'Describe'} ${props.image.name}`}
          onClick={() => setEditing(true)}
        >
          {alt() ? 'Description ✓' : 'Add description'}
        </button>
      </Show>
      <Show when={props.image.error}>
        <span class="image-chip-error" role="alert">
          {props.image.error}
        </span>
      </Show>
      <button
        type="button"
        class="icon-button image-chip-remove"
        aria-label={`${props.image.status === 'uploading' ? 'Cancel' : 'Remove'} ${props.image.name}`}
        onClick={() => props.tray.remove(props.image.key)}
      >
        <CloseIcon />
      </button>
      <Show when={editing()}>
        <DescriptionEditor
          name={props.image.name}
          value={alt()}
          onSave={async (text) => {
            await props.tray.describe(props.image.key, text);
            closeEditor();
          }}
          onCancel={closeEditor}
        />
      </Show>
    </li>
  );
}

/** One line for what the image shows: Enter saves, Escape leaves it as it was. */
function DescriptionEditor(props: {
  name: string;
  value: string;
  onSave: (text: string) => Promise<void>;
  onCancel: () => void;
}) {
  let input: HTMLInputElement | undefined;
  const save = () => void props.onSave(input?.value.trim() ?? '');
  return (
    <form
      class="image-chip-editor"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <input
        ref={(element) => {
          input = element;
          queueMicrotask(() => element.focus());
        }}
        type="text"
        maxLength={200}
        value={props.value}
        placeholder="What the image shows"
        aria-label={`Description of ${props.name}, for people who cannot see it`}
        onKeyDown={(event) => {
          // Escape here closes the editor, not the composer's reply or anything around it.
          if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            props.onCancel();
          }
        }}
      />
      <button type="submit" class="button button-primary button-small">
        Save
      </button>
    </form>
  );
}
