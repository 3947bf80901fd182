import { createUniqueId } from 'solid-js';

/** A square of an image, in the image's own pixels, as `users.setAvatar` takes it. */
export interface Crop {
  left: number;
  top: number;
  size: number;
}

export interface PickedImage {
  url: string;
  width: number;
  height: number;
}

/** The largest square in the middle of the image: where cropping starts. */
export function centreSquare(image: PickedImage): Crop {
  const size = Math.min(image.width, image.height);
  return { left: Math.floor((image.width - size) / 2), top: Math.floor((image.height - size) / 2), size };
}

const stage = 280;
const preview = 96;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * The chosen image with a square over it: drag the square (or move it with the arrow keys) and size it with the
 * slider (or + and -); a round preview shows the result.
 */
export function AvatarCrop(props: { image: PickedImage; crop: Crop; onCrop: (crop: Crop) => void }) {
  const id = `crop-${createUniqueId()}`;
  const scale = () => Math.min(stage / props.image.width, stage / props.image.height);
  const largest = () => Math.min(props.image.width, props.image.height);
  const smallest = () => Math.min(16, largest());
  const px = (imagePixels: number) => `${imagePixels * scale()}px`;

  const place = (left: number, top: number, wanted: number) => {
    const size = Math.round(clamp(wanted, smallest(), largest()));
    props.onCrop({
      size,
      left: Math.round(clamp(left, 0, props.image.width - size)),
      top: Math.round(clamp(top, 0, props.image.height - size)),
    });
  };
  // Resizing keeps the square's centre where it was.
  const resize = (size: number) => {
    const { left, top, size: was } = props.crop;
    place(left + (was - size) / 2, top + (was - size) / 2, size);
  };

  let drag: { x: number; y: number; left: number; top: number } | null = null;
  const onPointerDown = (event: PointerEvent & { currentTarget: HTMLElement }) => {
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.focus();
    drag = { x: event.clientX, y: event.clientY, left: props.crop.left, top: props.crop.top };
  };
  const onPointerMove = (event: PointerEvent) => {
    if (!drag) return;
    const dx = (event.clientX - drag.x) / scale();
    const dy = (event.clientY - drag.y) / scale();
    place(drag.left + dx, drag.top + dy, props.crop.size);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const step = Math.max(1, Math.round(largest() / (event.shiftKey ? 10 : 50)));
    const { left, top, size } = props.crop;
    const moves: Record<string, () => void> = {
      ArrowLeft: () => place(left - step, top, size),
      ArrowRight: () => place(left + step, top, size),
      ArrowUp: () => place(left, top - step, size),
      ArrowDown: () => place(left, top + step, size),
      '+': () => resize(size + step),
      '=': () => resize(size + step),
      '-': () => resize(size - step),
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    move();
  };

  const zoom = () => preview / props.crop.size;

  return (
    <div class="crop">
      <div class="crop-stage" style={{ width: px(props.image.width), height: px(props.image.height) }}>
        <img class="crop-image" src={props.image.url} alt="" draggable={false} />
        <button
          type="button"
          class="crop-square"
          aria-roledescription="crop square"
          aria-label="Part of the image to keep. Drag it, or move it with the arrow keys; + and - resize it."
          aria-describedby={`${id}-where`}
          style={{ left: px(props.crop.left), top: px(props.crop.top), width: px(props.crop.size) }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={() => (drag = null)}
          onPointerCancel={() => (drag = null)}
          onKeyDown={onKeyDown}
        />
      </div>
      <div class="crop-controls">
        <div class="crop-preview" aria-hidden="true">
          <img
            src={props.image.url}
            alt=""
            style={{
              width: `${props.image.width * zoom()}px`,
              height: `${props.image.height * zoom()}px`,
              transform: `translate(${-props.crop.left * zoom()}px, ${-props.crop.top * zoom()}px)`,
            }}
          />
        </div>
        <label class="field-label" for={`${id}-size`}>
          Size of the square
        </label>
        <input
          id={`${id}-size`}
          class="crop-range"
          type="range"
          min={smallest()}
          max={largest()}
          value={props.crop.size}
          onInput={(event) => resize(event.currentTarget.valueAsNumber)}
        />
        <p id={`${id}-where`} class="field-hint">
          {props.crop.size} × {props.crop.size} px, from {props.crop.left}, {props.crop.top}
        </p>
      </div>
    </div>
  );
}
