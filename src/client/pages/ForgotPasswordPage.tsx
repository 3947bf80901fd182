import { A } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { passwordResetRequestInput } from '../../shared/password-reset.ts';
import { FormAlert, Notice } from '../components/Alert.tsx';
import { AuthCard } from '../components/AuthCard.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { TextField } from '../components/TextField.tsx';
import { createForm } from '../lib/form.ts';
import { trpc } from '../lib/trpc.ts';

interface Sent {
  login: string;
  validMinutes: number;
}

/** Asks for a reset link. The answer never says whether the account exists: the server does not tell. */
export function ForgotPasswordPage() {
  const [sent, setSent] = createSignal<Sent | null>(null);
  const form = createForm({
    schema: passwordResetRequestInput,
    fields: ['login'],
    async submit(input) {
      const { validMinutes } = await trpc.auth.passwordReset.request.mutate(input);
      setSent({ login: input.login, validMinutes });
    },
  });

  return (
    <AuthCard
      title="Forgot your password?"
      subtitle="Give your username or email, and we will mail you a link to choose a new password."
      footer={
        <>
          Remembered it? <A href="/login">Log in</A>
        </>
      }
    >
      <Show
        when={sent()}
        fallback={
          <form class="form" novalidate onSubmit={form.onSubmit}>
            <FormAlert message={form.formError()} />
            <TextField
              name="login"
              label="Username or email"
              autocomplete="username"
              error={form.error('login')}
            />
            <SubmitButton pending={form.pending()} pendingLabel="Sending…">
              Send me a link
            </SubmitButton>
          </form>
        }
      >
        {(done) => (
          <>
            <Notice tone="success">
              If an account matches “{done().login}”, a link is on its way to its email address. It works
              once, for {done().validMinutes} minutes. Nothing there after a few minutes? Check your spam
              folder.
            </Notice>
            <button type="button" class="button" onClick={() => setSent(null)}>
              Try another username or email
            </button>
          </>
        )}
      </Show>
    </AuthCard>
  );
}
