import { createSignal, createUniqueId } from 'solid-js';
import type { CreatedToken } from './ApiTokens.tsx';
import { CopyIcon } from './Icons.tsx';

/** The one time a token's secret is shown: copy it now, it cannot be shown again. */
export function NewToken(props: { token: CreatedToken; onDone: () => void }) {
  const id = `token-${createUniqueId()}`;
  const [copyState, setCopyState] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  let input: HTMLInputElement | undefined;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.token.token);
      setCopyState('copied');
    } catch {
      // The clipboard needs a secure context and permission; selecting the text leaves Ctrl+C to the user.
      input?.select();
      setCopyState('failed');
    }
  };

  return (
    <section class="new-token" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} class="new-token-title">
        Token “{props.token.name}” created
      </h3>
      <p class="new-token-warning">Copy it now. For your safety it will not be shown again.</p>
      <label class="field-label" for={id}>
        New token
      </label>
      <div class="copy-row">
        <input
          id={id}
          ref={input}
          class="input input-mono"
          readOnly
          value={props.token.token}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" class="button" onClick={copy}>
          <CopyIcon />
          Copy
        </button>
      </div>
      <p class="copy-status" role="status">
        {copyState() === 'copied' ? 'Copied to the clipboard.' : ''}
        {copyState() === 'failed' ? 'Could not copy: the token is selected, press Ctrl+C (⌘C on a Mac).' : ''}
      </p>
      <button type="button" class="button" onClick={() => props.onDone()}>
        I have copied it
      </button>
    </section>
  );
}
