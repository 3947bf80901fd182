import { createSignal, onCleanup } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import { defaultImageMaxBytes, maxImagesPerMessage } from '../../../shared/images.ts';
import { describeError } from '../errors.ts';
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
}

const accepted = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

export interface ImageTray {
  readonly images: readonly TrayImage[];
  /** Starts uploading these files (pasted, dropped or picked); what cannot go is said in `notice`. */
  add(files: Iterable<File>): void;
  /** Cancels an upload or takes a finished one out of the message. */
  remove(key: string): void;
  /** A problem with the files offered, not with one upload. */
  notice(): string | null;
  busy(): boolean;
  /** The finished uploads to send, in order, taken out of the tray (a refused one stays, with its reason). */
  take(): UploadedImage[];
}

/** The images the composer holds for the next message in one room. */
export function createImageTray(roomId: number): ImageTray {
  const [images, setImages] = createStore<TrayImage[]>([]);
  const [notice, setNotice] = createSignal<string | null>(null);
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
      if (file.size > defaultImageMaxBytes) {
        setNotice(`${file.name || 'That image'} is larger than ${defaultImageMaxBytes / 1_000_000} MB.`);
        continue;
      }
      if (images.length >= maxImagesPerMessage) {
        setNotice(`A message carries at most ${maxImagesPerMessage} images.`);
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

  onCleanup(() => {
    for (const controller of uploads.values()) controller.abort();
    for (const image of images) URL.revokeObjectURL(image.previewUrl);
  });

  return {
    images,
    add,
    remove,
    notice,
    busy: () => images.some((image) => image.status === 'uploading'),
    take() {
      const ready = images.filter((image) => image.uploaded);
      for (const image of ready) URL.revokeObjectURL(image.previewUrl);
      setImages((list) => list.filter((image) => !image.uploaded));
      setNotice(null);
      return ready.flatMap((image) => (image.uploaded ? [image.uploaded] : []));
    },
  };
}
