import { A, useLocation, useNavigate } from '@solidjs/router';
import { registerInput } from '../../shared/auth.ts';
import { FormAlert } from '../components/Alert.tsx';
import { AuthCard } from '../components/AuthCard.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { TextField } from '../components/TextField.tsx';
import { useAuth } from '../lib/auth.ts';
import { createForm } from '../lib/form.ts';
import { returnPath } from '../lib/return-to.ts';
import { trpc } from '../lib/trpc.ts';

export function RegisterPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const form = createForm({
    schema: registerInput,
    fields: ['username', 'email', 'displayName', 'password'],
    // An empty display name means "use my username", which the server does when it is left out.
    prepare: ({ displayName, ...rest }) => ({ ...rest, displayName: displayName.trim() || undefined }),
    async submit(input) {
      auth.signedIn(await trpc.auth.register.mutate(input));
      navigate(returnPath(location.search) ?? '/');
    },
  });

  return (
    <AuthCard
      title="Create your account"
      subtitle="Join the conversation in less than a minute."
      footer={
        <>
          Already have an account? <A href={`/login${location.search}`}>Log in</A>
        </>
      }
    >
      <form class="form" novalidate onSubmit={form.onSubmit}>
        <FormAlert message={form.formError()} />
        <TextField
          name="username"
          label="Username"
          autocomplete="username"
          hint="Letters, digits, _ . and -; 3 to 30 characters."
          maxLength={30}
          error={form.error('username')}
        />
        <TextField name="email" label="Email" type="email" autocomplete="email" error={form.error('email')} />
        <TextField
          name="displayName"
          label="Display name"
          optional
          autocomplete="name"
          hint="The name people see. Your username if you leave it empty."
          maxLength={60}
          error={form.error('displayName')}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          hint="At least 8 characters."
          error={form.error('password')}
        />
        <SubmitButton pending={form.pending()} pendingLabel="Creating account…">
          Create account
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
