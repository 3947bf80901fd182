import { For, Show } from 'solid-js';
import type { ImageTray } from '../../lib/chat/image-tray.ts';
import { CloseIcon } from '../Icons.tsx';

/** The images waiting to go with the next message: each a preview chip with its upload's progress and a remove. */
export function ImageTrayChips(props: { tray: ImageTray }) {
  return (
    <Show when={props.tray.images.length > 0 || props.tray.notice()}>
      <div class="image-tray">
        <ul class="image-tray-list" aria-label="Images to send">
          <For each={props.tray.images}>
            {(image) => (
              <li class="image-chip" classList={{ 'image-chip-failed': image.status === 'failed' }}>
                <img class="image-chip-preview" src={image.previewUrl} alt="" />
                <span class="image-chip-name">{image.name}</span>
                <Show when={image.status === 'uploading'}>
                  <progress
                    class="image-chip-progress"
                    max="1"
                    value={image.progress}
                    aria-label={`Uploading ${image.name}`}
                  />
                </Show>
                <Show when={image.error}>
                  <span class="image-chip-error" role="alert">
                    {image.error}
                  </span>
                </Show>
                <button
                  type="button"
                  class="icon-button image-chip-remove"
                  aria-label={`${image.status === 'uploading' ? 'Cancel' : 'Remove'} ${image.name}`}
                  onClick={() => props.tray.remove(image.key)}
                >
                  <CloseIcon />
                </button>
              </li>
            )}
          </For>
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
