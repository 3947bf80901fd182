import { createUniqueId, type JSX, Show } from 'solid-js';
import { Dynamic } from 'solid-js/web';

export interface TextFieldProps {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'datetime-local';
  autocomplete?: JSX.InputHTMLAttributes<HTMLInputElement>['autocomplete'];
  /** Shown under the label; read out with the input. */
  hint?: string;
  /** A problem with the value, shown under the input and tied to it for screen readers. */
  error?: string | undefined;
  optional?: boolean;
  value?: string;
  maxLength?: number;
  /** The earliest value a date-time input offers. */
  min?: string;
  /** Makes it a text area of this many rows, for prose such as a bio. */
  rows?: number;
}

/** A labelled input whose hint and error are part of its accessible description. */
export function TextField(props: TextFieldProps) {
  const id = `field-${createUniqueId()}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = () =>
    [props.hint ? hintId : null, props.error ? errorId : null].filter(Boolean).join(' ') || undefined;

  return (
    <div class="field" classList={{ 'field-invalid': Boolean(props.error) }}>
      <label class="field-label" for={id}>
        {props.label}
        <Show when={props.optional}>
          <span class="field-optional"> (optional)</span>
        </Show>
      </label>
      <Show when={props.hint}>
        <p id={hintId} class="field-hint">
          {props.hint}
        </p>
      </Show>
      <Dynamic
        component={props.rows ? 'textarea' : 'input'}
        id={id}
        class="input"
        name={props.name}
        type={props.rows ? undefined : (props.type ?? 'text')}
        rows={props.rows}
        autocomplete={props.autocomplete}
        value={props.value ?? ''}
        maxLength={props.maxLength}
        min={props.min}
        required={!props.optional}
        spellcheck={Boolean(props.rows)}
        autocapitalize={props.rows ? undefined : 'off'}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy()}
      />
      <Show when={props.error}>
        <p id={errorId} class="field-error">
          {props.error}
        </p>
      </Show>
    </div>
  );
}
