import { batch, createSignal } from 'solid-js';
import { z } from 'zod';
import { describeError } from './errors.ts';

export interface FormOptions<Schema extends z.ZodType, Field extends string> {
  /** The shared schema the server checks too, so the same messages show before a request is sent. */
  schema: Schema;
  /** The fields this form shows; an error about any other field goes to the form-level alert. */
  fields: readonly Field[];
  /** Turns the form's text values into the schema's input (e.g. an empty optional field into `undefined`). */
  prepare?: (values: Record<Field, string>) => unknown;
  submit: (input: z.output<Schema>, form: HTMLFormElement) => Promise<void>;
}

export type SubmitEvent = Event & { currentTarget: HTMLFormElement };

/** State and submit handler for a form: client validation, a pending flag, and server errors put in place. */
export function createForm<Schema extends z.ZodType, Field extends string>(
  options: FormOptions<Schema, Field>,
) {
  const [errors, setErrors] = createSignal<Partial<Record<string, string>>>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal(false);

  const show = (form: HTMLFormElement, fieldErrors: Record<string, string>, message: string | null) => {
    const shown = options.fields.filter((field) => fieldErrors[field]);
    const others = Object.entries(fieldErrors).filter(([field]) => !shown.includes(field as Field));
    batch(() => {
      setErrors(fieldErrors);
      setFormError(message ?? others[0]?.[1] ?? null);
    });
    // Take the keyboard to the first problem, so it is read out and can be fixed at once.
    const first = shown[0];
    const control = first ? form.elements.namedItem(first) : null;
    if (control instanceof HTMLElement) control.focus();
  };

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (pending()) return;
    const form = event.currentTarget;
    const data = new FormData(form);
    const values = Object.fromEntries(
      options.fields.map((field) => [field, String(data.get(field) ?? '')]),
    ) as Record<Field, string>;
    const parsed = options.schema.safeParse(options.prepare ? options.prepare(values) : values);
    if (!parsed.success) {
      const flat = z.flattenError(parsed.error);
      const fieldErrors: Record<string, string> = {};
      for (const [field, messages] of Object.entries<string[] | undefined>(flat.fieldErrors)) {
        if (messages?.[0]) fieldErrors[field] = messages[0];
      }
      show(form, fieldErrors, flat.formErrors[0] ?? null);
      return;
    }
    batch(() => {
      setErrors({});
      setFormError(null);
      setPending(true);
    });
    try {
      await options.submit(parsed.data, form);
    } catch (error) {
      const report = describeError(error);
      show(form, report.fieldErrors, report.message);
    } finally {
      setPending(false);
    }
  };

  return {
    error: (field: Field) => errors()[field],
    formError,
    pending,
    onSubmit,
  };
}
