import { batch, createSignal, Show } from 'solid-js';

export interface ConfirmButtonProps {
  label: string;
  /** Says what will happen, e.g. "Remove Ada from your friends?". */
  question: string;
  confirmLabel: string;
  pending?: boolean;
  disabled?: boolean;
  /** The compact size, for rows of people. */
  small?: boolean;
  onConfirm: () => void;
}

/** A button for something hard to undo: it asks first, inline, with the danger button focused. */
export function ConfirmButton(props: ConfirmButtonProps) {
  const [asking, setAsking] = createSignal(false);
  // Whether closing the question should put focus back on the button that opened it.
  let refocus = false;
  const cancel = () => {
    refocus = true;
    setAsking(false);
  };

  return (
    <Show
      when={asking() || props.pending}
      fallback={
        <button
          ref={(button) => {
            if (!refocus) return;
            refocus = false;
            queueMicrotask(() => button.focus());
          }}
          type="button"
          class="button"
          classList={{ 'button-small': props.small }}
          disabled={props.disabled}
          onClick={() => setAsking(true)}
        >
          {props.label}
        </button>
      }
    >
      {/* biome-ignore lint/a11y/useSemanticElements: a fieldset's legend cannot sit in line with the buttons. */}
      <div
        class="confirm"
        role="group"
        aria-label={props.question}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          event.stopPropagation();
          cancel();
        }}
      >
        <span class="confirm-question">{props.question}</span>
        <button
          ref={(button) => queueMicrotask(() => button.focus())}
          type="button"
          class="button button-danger"
          disabled={props.pending}
          aria-busy={props.pending}
          onClick={() =>
            // One update: the question gives way to the pending state without flashing the first button.
            batch(() => {
              setAsking(false);
              props.onConfirm();
            })
          }
        >
          <Show when={props.pending}>
            <span class="spinner" aria-hidden="true" />
          </Show>
          {props.confirmLabel}
        </button>
        <button type="button" class="button button-ghost" disabled={props.pending} onClick={cancel}>
          Cancel
        </button>
      </div>
    </Show>
  );
}
