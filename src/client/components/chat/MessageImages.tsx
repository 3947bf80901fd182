import { createSignal, For, Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import type { AttachmentView } from '../../../shared/images.ts';
import { CloseIcon } from '../Icons.tsx';

/** What an image is called for someone who cannot see it: the sender's description, or whose image it is. */
const altOf = (image: Pick<AttachmentView, 'alt'>, senderName: string) =>
  image.alt || `Image from ${senderName}`;

/**
 * A message's images as thumbnails, each sized before it loads (the log does not jump); a click opens the full
 * view in a dialog, which Escape or its close button closes.
 */
export function MessageImages(props: { images: readonly AttachmentView[]; senderName: string }) {
  const [open, setOpen] = createSignal<AttachmentView | null>(null);
  let dialog: HTMLDialogElement | undefined;
  const show = (image: AttachmentView) => {
    setOpen(image);
    dialog?.showModal();
  };
  return (
    <>
      <ul class="message-images" classList={{ 'message-images-many': props.images.length > 1 }}>
        <For each={props.images}>
          {(image) => (
            <li>
              <button
                type="button"
                class="message-image"
                aria-label={`Open ${altOf(image, props.senderName)}`}
                onClick={() => show(image)}
              >
                <img
                  src={image.thumbUrl}
                  width={image.thumbWidth}
                  height={image.thumbHeight}
                  alt={altOf(image, props.senderName)}
                  loading="lazy"
                  decoding="async"
                />
              </button>
            </li>
          )}
        </For>
      </ul>
      {/* Outside the message log, whose live region would otherwise read the opened picture out as a new message. */}
      <Portal>
        <dialog
          ref={dialog}
          class="image-viewer"
          aria-label={open() ? altOf(open()!, props.senderName) : 'Image'}
          onClose={() => setOpen(null)}
        >
          <Show when={open()}>
            {(image) => (
              <figure class="image-viewer-figure">
                <img
                  class="image-viewer-img"
                  src={image().url}
                  width={image().width}
                  height={image().height}
                  alt={altOf(image(), props.senderName)}
                />
                <Show when={image().alt}>
                  <figcaption>{image().alt}</figcaption>
                </Show>
              </figure>
            )}
          </Show>
          <button
            type="button"
            class="icon-button image-viewer-close"
            aria-label="Close image"
            onClick={() => dialog?.close()}
          >
            <CloseIcon />
          </button>
        </dialog>
      </Portal>
    </>
  );
}
