import { batch, createSignal, createUniqueId, Show } from 'solid-js';
import { maxAvatarBytes } from '../../shared/people.ts';
import { useAuth } from '../lib/auth.ts';
import { describeError } from '../lib/errors.ts';
import { trpc } from '../lib/trpc.ts';
import { FormAlert, Notice } from './Alert.tsx';
import { Avatar } from './Avatar.tsx';
import { AvatarCrop, type Crop, centreSquare, type PickedImage } from './AvatarCrop.tsx';

const acceptedTypes = ['image/png', 'image/jpeg', 'image/webp'];

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** The image's size as the browser shows it (turned upright, as the server turns it before cropping). */
function measure(url: string): Promise<PickedImage> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve({ url, width: image.naturalWidth, height: image.naturalHeight });
    image.onerror = () => reject(new Error('Not an image'));
    image.src = url;
  });
}

/** Account › Profile › Picture: choose an image, keep a square of it, upload. */
export function AvatarEditor() {
  const auth = useAuth();
  const fileId = `avatar-file-${createUniqueId()}`;
  const [image, setImage] = createSignal<PickedImage | null>(null);
  const [crop, setCrop] = createSignal<Crop>({ left: 0, top: 0, size: 0 });
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal(false);
  let fileInput: HTMLInputElement | undefined;

  const pick = async (file: File | undefined) => {
    batch(() => {
      setError(null);
      setDone(null);
    });
    if (!file) return;
    if (!acceptedTypes.includes(file.type)) return setError('Choose a PNG, JPEG or WebP image.');
    if (file.size > maxAvatarBytes) return setError('The image must be at most 5 MB.');
    try {
      const picked = await measure(await readAsDataUrl(file));
      batch(() => {
        setImage(picked);
        setCrop(centreSquare(picked));
      });
    } catch {
      setError('That file could not be read as an image.');
    }
  };

  const reset = () => {
    setImage(null);
    if (fileInput) fileInput.value = '';
  };

  const save = async () => {
    const chosen = image();
    if (!chosen) return;
    batch(() => {
      setPending(true);
      setError(null);
    });
    try {
      const { avatarUrl } = await trpc.users.setAvatar.mutate({ image: chosen.url, crop: crop() });
      auth.profileChanged({ avatarUrl });
      reset();
      setDone('Your new picture is saved.');
    } catch (cause) {
      const report = describeError(cause);
      setError(report.message ?? Object.values(report.fieldErrors)[0] ?? 'Could not save the picture.');
    } finally {
      setPending(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="avatar-heading">
      <h2 id="avatar-heading" class="panel-title">
        Picture
      </h2>
      <Show when={auth.user()}>
        {(user) => (
          <div class="avatar-current">
            <Avatar
              name={user().displayName}
              username={user().username}
              url={user().avatarUrl}
              size="large"
            />
            <div class="avatar-pick">
              <p class="muted">A PNG, JPEG or WebP image of up to 5 MB; you choose the square to keep.</p>
              <input
                id={fileId}
                ref={fileInput}
                class="file-input sr-only"
                type="file"
                accept={acceptedTypes.join(',')}
                onChange={(event) => pick(event.currentTarget.files?.[0])}
              />
              <label for={fileId} class="button">
                Choose an image…
              </label>
            </div>
          </div>
        )}
      </Show>
      <Show when={done()}>
        <Notice tone="success">{done()}</Notice>
      </Show>
      <FormAlert message={error()} />
      <Show when={image()}>
        {(chosen) => (
          <>
            <AvatarCrop image={chosen()} crop={crop()} onCrop={setCrop} />
            <div class="button-row">
              <button
                type="button"
                class="button button-primary"
                disabled={pending()}
                aria-busy={pending()}
                onClick={save}
              >
                <Show when={pending()} fallback="Save picture">
                  <span class="spinner" aria-hidden="true" />
                  Saving…
                </Show>
              </button>
              <button type="button" class="button button-ghost" disabled={pending()} onClick={reset}>
                Cancel
              </button>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
