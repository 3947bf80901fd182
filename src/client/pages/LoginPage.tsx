import { A, useLocation, useNavigate } from '@solidjs/router';
import { Show } from 'solid-js';
import { loginInput } from '../../shared/auth.ts';
import { FormAlert, Notice } from '../components/Alert.tsx';
import { AuthCard } from '../components/AuthCard.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { TextField } from '../components/TextField.tsx';
import { useAuth } from '../lib/auth.ts';
import { createForm } from '../lib/form.ts';
import { returnPath } from '../lib/return-to.ts';
import { trpc } from '../lib/trpc.ts';

export function LoginPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const form = createForm({
    schema: loginInput,
    fields: ['login', 'password'],
    async submit(input) {
      auth.signedIn(await trpc.auth.login.mutate(input));
      navigate(returnPath(location.search) ?? '/');
    },
  });

  return (
    <AuthCard
      title="Welcome back"
      subtitle="Log in to pick up your conversations."
      footer={
        <>
          New to Parley? <A href={`/register${location.search}`}>Create an account</A>
        </>
      }
    >
      <Show when={auth.notice()}>
        <Notice>{auth.notice()}</Notice>
      </Show>
      <form class="form" novalidate onSubmit={form.onSubmit}>
        <FormAlert message={form.formError()} />
        <TextField
          name="login"
          label="Username or email"
          autocomplete="username"
          error={form.error('login')}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          error={form.error('password')}
        />
        <A href="/forgot-password" class="auth-aside">
          Forgot your password?
        </A>
        <SubmitButton pending={form.pending()} pendingLabel="Logging in…">
          Log in
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
