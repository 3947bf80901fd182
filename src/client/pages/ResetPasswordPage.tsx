import { A, useLocation } from '@solidjs/router';
import { createResource, Match, Switch } from 'solid-js';
import { passwordResetCompleteInput } from '../../shared/password-reset.ts';
import { FormAlert } from '../components/Alert.tsx';
import { AuthCard } from '../components/AuthCard.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { TextField } from '../components/TextField.tsx';
import { describeError } from '../lib/errors.ts';
import { createForm } from '../lib/form.ts';
import { clockTime } from '../lib/time.ts';
import { trpc } from '../lib/trpc.ts';

/** The link in the mail: `/reset-password#token=…` (a fragment never reaches a server's logs). */
function tokenFromLink(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

const AskAgain = () => (
  <A href="/forgot-password" class="button">
    Ask for a new link
  </A>
);

/** Where a reset mail's link lands, signed in or not: says whose password it is, then takes the new one. */
export function ResetPasswordPage() {
  const token = tokenFromLink(useLocation().hash);
  const [link] = createResource(
    () => token || undefined,
    (value) => trpc.auth.passwordReset.check.query({ token: value }),
  );
  const form = createForm({
    schema: passwordResetCompleteInput,
    fields: ['newPassword'],
    prepare: (values) => ({ ...values, token }),
    async submit(input) {
      await trpc.auth.passwordReset.complete.mutate(input);
      // A full load starts this tab afresh on the new session: any session it had was just ended.
      window.location.assign('/');
    },
  });

  return (
    <AuthCard
      title="Choose a new password"
      footer={
        <>
          Remembered it? <A href="/login">Log in</A>
        </>
      }
    >
      <Switch>
        <Match when={!token}>
          <FormAlert message="This page needs the link from your password-reset mail. Open the link from the mail, or ask for a new one." />
          <AskAgain />
        </Match>
        <Match when={link.error as unknown}>
          <FormAlert message={describeError(link.error).message} />
          <AskAgain />
        </Match>
        <Match when={link()}>
          {(account) => (
            <form class="form" novalidate onSubmit={form.onSubmit}>
              <p class="auth-note">
                For <strong>{account().displayName}</strong> (@{account().username}). Choosing it signs you
                out everywhere else and revokes your API tokens. This link works until{' '}
                {clockTime(account().expiresAt)}.
              </p>
              <FormAlert message={form.formError()} />
              {/* For password managers: which account the new password belongs to. */}
              <input type="hidden" name="username" autocomplete="username" value={account().username} />
              <TextField
                name="newPassword"
                label="New password"
                type="password"
                autocomplete="new-password"
                hint="At least 8 characters."
                error={form.error('newPassword')}
              />
              <SubmitButton pending={form.pending()} pendingLabel="Saving…">
                Save and log in
              </SubmitButton>
            </form>
          )}
        </Match>
        <Match when={link.loading}>
          <p class="muted" role="status">
            Checking your link…
          </p>
        </Match>
      </Switch>
    </AuthCard>
  );
}
