import { createUniqueId, type JSX, onMount, Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import { z } from 'zod';
import { banInput, muteInput, reportInput } from '../../shared/admin.ts';
import { createForm } from '../lib/form.ts';
import { FormAlert } from './Alert.tsx';
import { SubmitButton } from './SubmitButton.tsx';
import { TextField } from './TextField.tsx';

// The server's own rules for a reason and an end time, so the same messages show before anything is sent; only
// a missing end gets words of its own (zod's default is about types, not people).
const chooseEnd = 'Choose when it ends.';
const schemas = {
  none: z.object({ reason: reportInput.shape.reason }),
  optional: banInput.pick({ reason: true, until: true }),
  required: z.object({
    reason: muteInput.shape.reason,
    until: z.string({ error: chooseEnd }).min(1, chooseEnd).pipe(muteInput.shape.until),
  }),
};

/** A `datetime-local` value is the reader's wall-clock time without a zone; the server wants an instant. */
function toInstant(local: string): string | undefined {
  if (!local) return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? local : time.toISOString();
}

/** A moment `ms` from now as a `datetime-local` value, in the reader's time zone. */
export function localDateTime(ms: number): string {
  const time = new Date(Date.now() + ms);
  return new Date(time.getTime() - time.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export interface ReasonDialogProps {
  title: string;
  /** Says what the action is about, under the title. */
  children?: JSX.Element;
  reasonHint?: string;
  /** Asks for an end time too: `optional` (left empty, it lasts for good) or `required`. */
  until?: 'optional' | 'required';
  untilHint?: string;
  untilValue?: string;
  confirmLabel: string;
  pendingLabel: string;
  danger?: boolean;
  /** Does the action; a failure shows in the dialog, which stays open. */
  onSubmit: (input: { reason: string; until?: string | undefined }) => Promise<void>;
  /** Called once the dialog has closed, cancelled or done. */
  onClose: () => void;
}

/**
 * A small modal form asking why (and for how long) before a moderation step: reporting a message, removing one,
 * banning or muting someone. The native `<dialog>` opened with `showModal` keeps focus inside, makes the page
 * behind it inert and closes on Escape. It is portalled to `<body>`, out of the message log's live region.
 */
export function ReasonDialog(props: ReasonDialogProps) {
  const id = `dialog-${createUniqueId()}`;
  let dialog: HTMLDialogElement | undefined;
  const form = createForm({
    schema: schemas[props.until ?? 'none'],
    fields: props.until ? (['reason', 'until'] as const) : (['reason'] as const),
    prepare: (values: Partial<Record<'reason' | 'until', string>>) => ({
      reason: values.reason,
      until: toInstant(values.until ?? ''),
    }),
    async submit(input) {
      await props.onSubmit(input);
      dialog?.close();
    },
  });
  onMount(() => dialog?.showModal());

  return (
    <Portal>
      <dialog
        ref={dialog}
        class="dialog"
        aria-labelledby={`${id}-title`}
        aria-describedby={props.children ? `${id}-text` : undefined}
        onClose={() => props.onClose()}
      >
        <form class="form" novalidate onSubmit={form.onSubmit}>
          <h2 id={`${id}-title`} class="dialog-title">
            {props.title}
          </h2>
          <Show when={props.children}>
            <div id={`${id}-text`} class="dialog-text">
              {props.children}
            </div>
          </Show>
          <FormAlert message={form.formError()} />
          <TextField
            name="reason"
            label="Reason"
            hint={props.reasonHint}
            maxLength={500}
            error={form.error('reason')}
          />
          <Show when={props.until}>
            <TextField
              name="until"
              type="datetime-local"
              label="Until"
              optional={props.until === 'optional'}
              hint={props.untilHint}
              value={props.untilValue}
              min={localDateTime(0)}
              error={form.error('until')}
            />
          </Show>
          <div class="dialog-actions">
            <button type="button" class="button button-ghost" onClick={() => dialog?.close()}>
              Cancel
            </button>
            <SubmitButton
              pending={form.pending()}
              pendingLabel={props.pendingLabel}
              variant={props.danger ? 'danger' : 'primary'}
            >
              {props.confirmLabel}
            </SubmitButton>
          </div>
        </form>
      </dialog>
    </Portal>
  );
}
