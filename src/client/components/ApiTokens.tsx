import { createResource, createSignal, Show } from 'solid-js';
import { createTokenInput } from '../../shared/auth.ts';
import { useAuth } from '../lib/auth.ts';
import { createForm } from '../lib/form.ts';
import { type RouterOutputs, trpc } from '../lib/trpc.ts';
import { FormAlert } from './Alert.tsx';
import { NewToken } from './NewToken.tsx';
import { SubmitButton } from './SubmitButton.tsx';
import { TextField } from './TextField.tsx';
import { TokenList } from './TokenList.tsx';

export type CreatedToken = RouterOutputs['auth']['createToken'];

/**
 * Personal API tokens: let scripts act as you. Creating one asks for your password again. The list is read again
 * whenever `generation` changes (a password change revokes tokens).
 */
export function ApiTokens(props: { generation?: number }) {
  const auth = useAuth();
  const [tokens, { refetch }] = createResource(
    () => props.generation ?? 0,
    () => trpc.auth.tokens.list.query(),
  );
  const [created, setCreated] = createSignal<CreatedToken | null>(null);
  const form = createForm({
    schema: createTokenInput,
    fields: ['name', 'password'],
    // The server checks a login and password, so a stolen session alone cannot mint tokens.
    prepare: (values) => ({ ...values, login: auth.user()?.username ?? '' }),
    async submit(input, element) {
      setCreated(await trpc.auth.createToken.mutate(input));
      element.reset();
      void refetch();
    },
  });

  return (
    <section class="panel" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading" class="panel-title">
        Personal API tokens
      </h2>
      <p class="panel-text">
        A token lets a script call Parley as you, with <code>Authorization: Bearer &lt;token&gt;</code>. Keep
        it secret; revoke it when the script no longer needs it.
      </p>
      <Show when={created()}>{(token) => <NewToken token={token()} onDone={() => setCreated(null)} />}</Show>
      <form class="form form-inline" novalidate onSubmit={form.onSubmit} aria-label="Create a token">
        <FormAlert message={form.formError()} />
        <TextField
          name="name"
          label="Token name"
          hint="What will use it, e.g. “backup script”."
          maxLength={60}
          error={form.error('name')}
        />
        <TextField
          name="password"
          label="Your password"
          type="password"
          autocomplete="current-password"
          hint="To confirm it is you."
          error={form.error('password')}
        />
        <SubmitButton pending={form.pending()} pendingLabel="Creating token…">
          Create token
        </SubmitButton>
      </form>
      <TokenList tokens={tokens} onRevoked={() => void refetch()} />
    </section>
  );
}
