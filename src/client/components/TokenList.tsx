import { createSignal, For, type Resource, Show } from 'solid-js';
import { describeError } from '../lib/errors.ts';
import { formatDate } from '../lib/format.ts';
import { type RouterOutputs, trpc } from '../lib/trpc.ts';
import { FormAlert } from './Alert.tsx';

type Token = RouterOutputs['auth']['tokens']['list'][number];

/** The user's tokens, newest first, each revocable after a confirmation. */
export function TokenList(props: { tokens: Resource<Token[]>; onRevoked: () => void }) {
  const [confirming, setConfirming] = createSignal<string | null>(null);
  const [revoking, setRevoking] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);

  const revoke = async (id: string) => {
    setRevoking(id);
    setError(null);
    try {
      await trpc.auth.tokens.revoke.mutate({ id });
      setConfirming(null);
      props.onRevoked();
    } catch (cause) {
      setError(describeError(cause).message ?? 'Could not revoke the token.');
    } finally {
      setRevoking(null);
    }
  };

  return (
    <div class="token-list">
      <h3 class="token-list-title">Your tokens</h3>
      <FormAlert message={error()} />
      <Show when={props.tokens.error}>
        <FormAlert message={describeError(props.tokens.error).message} />
      </Show>
      <Show
        when={props.tokens.state === 'ready' || props.tokens.state === 'refreshing'}
        fallback={<p class="muted">Loading tokens…</p>}
      >
        <Show when={props.tokens()?.length} fallback={<p class="muted">No tokens yet.</p>}>
          <ul class="tokens" aria-label="Your tokens">
            <For each={props.tokens()}>
              {(token) => (
                <li class="token">
                  <div class="token-info">
                    <span class="token-name">{token.name}</span>
                    <span class="token-meta">
                      Created {formatDate(token.createdAt)} ·{' '}
                      {token.lastUsedAt ? `last used ${formatDate(token.lastUsedAt)}` : 'never used'}
                    </span>
                  </div>
                  <Show
                    when={confirming() === token.id}
                    fallback={
                      <button
                        type="button"
                        class="button button-ghost"
                        aria-label={`Revoke ${token.name}`}
                        onClick={() => setConfirming(token.id)}
                      >
                        Revoke
                      </button>
                    }
                  >
                    <div class="token-confirm">
                      <span>Scripts using it stop working.</span>
                      <button
                        type="button"
                        class="button button-danger"
                        disabled={revoking() === token.id}
                        onClick={() => revoke(token.id)}
                      >
                        {revoking() === token.id ? 'Revoking…' : `Yes, revoke ${token.name}`}
                      </button>
                      <button type="button" class="button button-ghost" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </div>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </div>
  );
}
