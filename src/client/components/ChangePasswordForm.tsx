import { createSignal, Show } from 'solid-js';
import { changePasswordInput } from '../../shared/auth.ts';
import { createForm } from '../lib/form.ts';
import { trpc } from '../lib/trpc.ts';
import { FormAlert, Notice } from './Alert.tsx';
import { SubmitButton } from './SubmitButton.tsx';
import { TextField } from './TextField.tsx';

export function ChangePasswordForm() {
  const [done, setDone] = createSignal<string | null>(null);
  const form = createForm({
    schema: changePasswordInput,
    fields: ['currentPassword', 'newPassword'],
    async submit(input, element) {
      setDone(null);
      const { endedSessions } = await trpc.auth.changePassword.mutate(input);
      element.reset();
      const others = endedSessions === 1 ? '1 other session was' : `${endedSessions} other sessions were`;
      setDone(endedSessions ? `Password changed. ${others} signed out.` : 'Password changed.');
    },
  });

  return (
    <section class="panel" aria-labelledby="password-heading">
      <h2 id="password-heading" class="panel-title">
        Change password
      </h2>
      <p class="panel-text">Changing it signs you out everywhere else; this tab stays signed in.</p>
      <form class="form form-narrow" novalidate onSubmit={form.onSubmit}>
        <Show when={done()}>
          <Notice tone="success">{done()}</Notice>
        </Show>
        <FormAlert message={form.formError()} />
        <TextField
          name="currentPassword"
          label="Current password"
          type="password"
          autocomplete="current-password"
          error={form.error('currentPassword')}
        />
        <TextField
          name="newPassword"
          label="New password"
          type="password"
          autocomplete="new-password"
          hint="At least 8 characters."
          error={form.error('newPassword')}
        />
        <SubmitButton pending={form.pending()} pendingLabel="Changing password…">
          Change password
        </SubmitButton>
      </form>
    </section>
  );
}
