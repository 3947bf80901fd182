import { type ParentProps, Show } from 'solid-js';

/** A form's submit button: disabled and showing `pendingLabel` while the request is on its way. */
export function SubmitButton(
  props: ParentProps<{ pending: boolean; pendingLabel: string; variant?: 'primary' | 'danger' }>,
) {
  return (
    <button
      type="submit"
      class="button"
      classList={{
        'button-primary': (props.variant ?? 'primary') === 'primary',
        'button-danger': props.variant === 'danger',
      }}
      disabled={props.pending}
      aria-busy={props.pending}
    >
      <Show when={props.pending} fallback={props.children}>
        <span class="spinner" aria-hidden="true" />
        {props.pendingLabel}
      </Show>
    </button>
  );
}
