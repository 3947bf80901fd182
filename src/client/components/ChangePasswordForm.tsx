import { createSignal, Show } from 'solid-js';
import { changePasswordInput } from '../../shared/auth.ts';
import { createForm } from '../lib/form.ts';
import { trpc } from '../lib/trpc.ts';
import { FormAlert, Notice } from './Alert.tsx';
import { SubmitButton } from './SubmitButton.tsx';
import { TextField } from './TextField.tsx';

const plural = (count: number, one: string, many: string) => (count === 1 ? `1 ${one}` : `${count} ${many}`);

/** What the change did, in one sentence: "Password changed. 2 other sessions were signed out; …". */
function changedMessage(endedSessions: number, revokedTokens: number): string {
  const effects = [
    endedSessions ? `${plural(endedSessions, 'other session was', 'other sessions were')} signed out` : '',
    revokedTokens ? `${plural(revokedTokens, 'API token was', 'API tokens were')} revoked` : '',
  ].filter(Boolean);
  return effects.length ? `Password changed. ${effects.join('; ')}.` : 'Password changed.';
}

/** `onChanged`: the password changed, so lists of sessions or tokens shown elsewhere are out of date. */
export function ChangePasswordForm(props: { onChanged?: () => void }) {
  const [done, setDone] = createSignal<string | null>(null);
  const form = createForm({
    schema: changePasswordInput,
    fields: ['currentPassword', 'newPassword', 'keepApiTokens'],
    prepare: (values) => ({ ...values, keepApiTokens: values.keepApiTokens === 'on' }),
    async submit(input, element) {
      setDone(null);
      const { endedSessions, revokedTokens } = await trpc.auth.changePassword.mutate(input);
      element.reset();
      setDone(changedMessage(endedSessions, revokedTokens));
      props.onChanged?.();
    },
  });

  return (
    <section class="panel" aria-labelledby="password-heading">
      <h2 id="password-heading" class="panel-title">
        Change password
      </h2>
      <p class="panel-text">
        Changing it signs you out everywhere else and revokes your API tokens; this tab stays signed in.
      </p>
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
        <div class="check-field">
          <input
            id="keep-api-tokens"
            class="checkbox"
            type="checkbox"
            name="keepApiTokens"
            aria-describedby="keep-api-tokens-hint"
          />
          <label for="keep-api-tokens" class="field-label">
            Keep my API tokens working
          </label>
          <p id="keep-api-tokens-hint" class="field-hint">
            Only if every token in the list below is yours: a token made with a stolen password would keep
            working.
          </p>
        </div>
        <SubmitButton pending={form.pending()} pendingLabel="Changing password…">
          Change password
        </SubmitButton>
      </form>
    </section>
  );
}
