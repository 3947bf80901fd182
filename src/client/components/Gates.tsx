import { Navigate, useLocation } from '@solidjs/router';
import { type JSX, Match, type ParentProps, Switch } from 'solid-js';
import { useAuth } from '../lib/auth.ts';
import { loginHref, returnPath } from '../lib/return-to.ts';
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

export interface SignedInOnlyProps {
  /** What a signed-out visitor sees instead of being sent to log in (the public room at `/`), when given. */
  guest?: JSX.Element;
  guestAllowed?: boolean;
}

/** Shows its children to a signed-in user; anyone else sees `guest` where allowed, or goes to the login page. */
export function SignedInOnly(props: ParentProps<SignedInOnlyProps>): JSX.Element {
  const auth = useAuth();
  const location = useLocation();
  return (
    <Switch fallback={<SessionPending />}>
      <Match when={auth.status() === 'ready' && auth.user()}>{props.children}</Match>
      <Match when={auth.status() === 'ready' && props.guestAllowed}>{props.guest}</Match>
      <Match when={auth.status() === 'ready'}>
        <Navigate href={loginHref(location)} />
      </Match>
    </Switch>
  );
}

/** Shows its children to a signed-out visitor (login, register); a signed-in user goes where they were going. */
export function GuestOnly(props: ParentProps): JSX.Element {
  const auth = useAuth();
  const location = useLocation();
  return (
    <Switch fallback={<SessionPending />}>
      <Match when={auth.status() === 'ready' && auth.user()}>
        <Navigate href={returnPath(location.search) ?? '/'} />
      </Match>
      <Match when={auth.status() === 'ready'}>{props.children}</Match>
    </Switch>
  );
}
