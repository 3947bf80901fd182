import { createSignal, onCleanup } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import { defaultImageMaxBytes, maxImagesPerMessage, megabytes } from '../../../shared/images.ts';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import { readAsBase64, type UploadedImage, uploadImage } from './upload.ts';

/** One image on its way into a message: uploading (with its progress), ready to send, or refused. */
export interface TrayImage {
  key: string;
  name: string;
  /** A local copy to preview while the upload runs. */
  previewUrl: string;
  progress: number;
  status: 'uploading' | 'ready' | 'failed';
  error: string | null;
  uploaded: UploadedImage | null;
  /** A description being saved for the uploaded image. */
  describing: boolean;
}

const accepted = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

export interface ImageTray {
  readonly images: readonly TrayImage[];
  /** Starts uploading these files (pasted, dropped or picked); what cannot go is said in `notice`. */
  add(files: Iterable<File>): void;
  /** Cancels an upload or takes a finished one out of the message. */
  remove(key: string): void;
  /** Gives an uploaded image a description (empty clears it); a failure shows on its chip. */
  describe(key: string, alt: string): Promise<void>;
  /** A problem with the files offered, not with one upload. */
  notice(): string | null;
  busy(): boolean;
  /** The finished uploads to send, in order, taken out of the tray (a refused one stays, with its reason). */
  take(): UploadedImage[];
}

/** The server's limits, asked once a page: until they arrive, the defaults (the server checks again anyway). */
const [limits, setLimits] = createSignal({
  maxBytes: defaultImageMaxBytes,
  maxPerMessage: maxImagesPerMessage,
});
let limitsAsked = false;
function loadLimits() {
  if (limitsAsked) return;
  limitsAsked = true;
  trpc.chat.imageLimits.query().then(setLimits, () => {
    limitsAsked = false;
  });
}

/** The images the composer holds for the next message in one room. */
export function createImageTray(roomId: number): ImageTray {
  const [images, setImages] = createStore<TrayImage[]>([]);
  const [notice, setNotice] = createSignal<string | null>(null);
  loadLimits();
  const uploads = new Map<string, AbortController>();
  let counter = 0;

  const update = (key: string, change: Partial<TrayImage>) => setImages((image) => image.key === key, change);

  async function start(key: string, file: File) {
    const controller = new AbortController();
    uploads.set(key, controller);
    try {
      const image = await readAsBase64(file);
      const onProgress = (progress: number) => update(key, { progress });
      const uploaded = await uploadImage({ roomId, image }, onProgress, controller.signal);
      update(key, { status: 'ready', progress: 1, uploaded });
    } catch (error) {
      if (controller.signal.aborted) return;
      update(key, { status: 'failed', error: describeError(error).message ?? 'The upload failed.' });
    } finally {
      uploads.delete(key);
    }
  }

  const add = (files: Iterable<File>) => {
    setNotice(null);
    for (const file of files) {
      if (!accepted.includes(file.type)) {
        setNotice(`${file.name || 'That file'} is not a PNG, JPEG, WebP or GIF image.`);
        continue;
      }
      const { maxBytes, maxPerMessage } = limits();
      if (file.size > maxBytes) {
        setNotice(`${file.name || 'That image'} is larger than ${megabytes(maxBytes)}.`);
        continue;
      }
      if (images.length >= maxPerMessage) {
        setNotice(`A message carries at most ${maxPerMessage} images.`);
        break;
      }
      const key = `image-${++counter}`;
      const entry: TrayImage = {
        key,
        name: file.name || 'Pasted image',
        previewUrl: URL.createObjectURL(file),
        progress: 0,
        status: 'uploading',
        error: null,
        uploaded: null,
        describing: false,
      };
      setImages(produce((list) => list.push(entry)));
      void start(key, file);
    }
  };

  const remove = (key: string) => {
    uploads.get(key)?.abort();
    const image = images.find((candidate) => candidate.key === key);
    if (image) URL.revokeObjectURL(image.previewUrl);
    setImages((list) => list.filter((candidate) => candidate.key !== key));
    setNotice(null);
  };

  const describe = async (key: string, alt: string) => {
    const image = images.find((candidate) => candidate.key === key);
    if (!image?.uploaded) return;
    update(key, { describing: true, error: null });
    try {
      const uploaded = await trpc.chat.describeImage.mutate({ attachmentId: image.uploaded.id, alt });
      update(key, { uploaded });
    } catch (error) {
      update(key, { error: describeError(error).message ?? 'The description was not saved.' });
    } finally {
      update(key, { describing: false });
    }
  };

  onCleanup(() => {
    for (const controller of uploads.values()) controller.abort();
    for (const image of images) URL.revokeObjectURL(image.previewUrl);
  });

  return {
    images,
    add,
    remove,
    describe,
    notice,
    busy: () => images.some((image) => image.status === 'uploading' || image.describing),
    take() {
      const ready = images.filter((image) => image.uploaded);
      for (const image of ready) URL.revokeObjectURL(image.previewUrl);
      setImages((list) => list.filter((image) => !image.uploaded));
      setNotice(null);
      return ready.flatMap((image) => (image.uploaded ? [image.uploaded] : []));
    },
  };
}
