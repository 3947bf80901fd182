import { Navigate } from '@solidjs/router';
import { type JSX, Match, type ParentProps, Switch } from 'solid-js';
import { useAuth } from '../lib/auth.ts';
import { Logo } from './Logo.tsx';

/** What shows while the session is being checked, or when the server cannot be reached. */
function SessionPending() {
  const auth = useAuth();
  return (
    <main class="splash">
      <Logo />
      <Switch>
        <Match when={auth.status() === 'error'}>
          <div role="alert" class="splash-error">
            <p>Cannot reach Parley right now.</p>
            <button type="button" class="button button-primary" onClick={() => auth.retry()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={auth.status() === 'loading'}>
          <p class="muted" role="status">
            Loading…
          </p>
        </Match>
      </Switch>
    </main>
  );
}

/** Shows its children to a signed-in user; sends anyone else to the login page. */
export function SignedInOnly(props: ParentProps): JSX.Element {
  const auth = useAuth();
  return (
    <Switch fallback={<SessionPending />}>
      <Match when={auth.status() === 'ready' && auth.user()}>{props.children}</Match>
      <Match when={auth.status() === 'ready'}>
        <Navigate href="/login" />
      </Match>
    </Switch>
  );
}

/** Shows its children to a signed-out visitor (login, register); a signed-in user goes home. */
export function GuestOnly(props: ParentProps): JSX.Element {
  const auth = useAuth();
  return (
    <Switch fallback={<SessionPending />}>
      <Match when={auth.status() === 'ready' && auth.user()}>
        <Navigate href="/" />
      </Match>
      <Match when={auth.status() === 'ready'}>{props.children}</Match>
    </Switch>
  );
}
