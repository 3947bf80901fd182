import { type ParentProps, Show } from 'solid-js';

/** A form-level error, announced as soon as it appears. */
export function FormAlert(props: { message: string | null }) {
  return (
    <Show when={props.message}>
      <div class="alert alert-error" role="alert">
        {props.message}
      </div>
    </Show>
  );
}

/** A calm message (success, information), announced politely. */
export function Notice(props: ParentProps<{ tone?: 'info' | 'success' }>) {
  return (
    <div class="alert" classList={{ 'alert-success': props.tone === 'success' }} role="status">
      {props.children}
    </div>
  );
}
