import type { Navigator } from '@solidjs/router';
import {
  batch,
  createContext,
  createEffect,
  createResource,
  createSignal,
  getOwner,
  on,
  onCleanup,
  useContext,
} from 'solid-js';
import { forgetAccount } from './chat/saved.ts';
import { isServerError } from './errors.ts';
import { type RouterOutputs, renewSocket, trpc } from './trpc.ts';

export type Me = NonNullable<RouterOutputs['auth']['me']>;
type SessionEvent = RouterOutputs['auth']['onSession'] extends AsyncIterable<infer Event> ? Event : never;
export type EndReason = Extract<SessionEvent, { type: 'ended' }>['reason'];

/** Why the session ended, in the words the "You were signed out (…)" notice uses. */
const endedBecause: Record<EndReason, string> = {
  logout: 'logged out in another tab',
  'password-changed': 'your password was changed',
  'token-revoked': 'access was revoked',
  expired: 'your session expired',
  banned: 'your account was suspended',
};

export type AuthStatus = 'loading' | 'ready' | 'error';

export interface Auth {
  /** The signed-in user; `null` when signed out, `undefined` until known. */
  user(): Me | null | undefined;
  status(): AuthStatus;
  /** True once the server confirmed this tab's live session channel (`auth.onSession`). */
  live(): boolean;
  /** A message for the login page, e.g. why this tab was signed out. */
  notice(): string | null;
  retry(): void;
  /** Adopts the user a login or registration returned. */
  signedIn(user: Me): void;
  /** Takes a change this tab made to the signed-in user's own profile, so the header shows it at once. */
  profileChanged(changes: Partial<Pick<Me, 'displayName' | 'avatarUrl'>>): void;
  /**
   * Calls `listener` each time the server says this account changed (a role, a name, a mute), from this tab, another
   * or an admin; stops when the calling owner is disposed, or when the returned function is called.
   */
  onChanged(listener: () => void): () => void;
  logout(): Promise<void>;
}

/** The session state of this tab. Call inside the router (it navigates) and inside a reactive owner. */
export function createAuth(navigate: Navigator): Auth {
  const [me, { mutate, refetch }] = createResource(() => trpc.auth.me.query());
  const [live, setLive] = createSignal(false);
  const [notice, setNotice] = createSignal<string | null>(null);
  const changeListeners = new Set<() => void>();
  // Set while this tab logs out, so its own "session ended" event is not shown as a notice.
  let leaving = false;

  // Reading an errored resource throws; the error shows through `status` instead.
  const user = () => (me.state === 'errored' ? undefined : me());
  // Only called once `me` has loaded: the login and register forms are shown only then.
  const setUser = (next: Me | null) => {
    if (next?.id !== user()?.id) renewSocket();
    mutate(next);
  };

  const sessionEnded = (reason: EndReason) => {
    if (leaving) return;
    batch(() => {
      setNotice(`You were signed out (${endedBecause[reason]}).`);
      setUser(null);
    });
    navigate('/login', { replace: true });
  };

  // A role given or taken, a new name, a mute (from another tab or an admin): show it.
  const accountChanged = () => {
    void refetch();
    for (const listener of changeListeners) listener();
  };

  // While signed in, listen for the end of this session: a logout in another tab ends it here too, live.
  createEffect(
    on(
      () => user()?.id,
      (id) => {
        setLive(false);
        if (id === undefined) return;
        const subscription = trpc.auth.onSession.subscribe(undefined, {
          onData(event) {
            if (event.type === 'active') setLive(true);
            else if (event.type === 'changed') accountChanged();
            else sessionEnded(event.reason);
          },
          onError(error) {
            // The cookie stopped working before the socket opened (e.g. it expired): same outcome.
            if (isServerError(error, 'UNAUTHORIZED')) sessionEnded('expired');
            else console.error('Session channel failed', error);
          },
        });
        onCleanup(() => subscription.unsubscribe());
      },
    ),
  );

  return {
    user,
    status() {
      if (me.state === 'errored') return 'error';
      return me.state === 'ready' || me.state === 'refreshing' ? 'ready' : 'loading';
    },
    live,
    notice,
    retry: () => void refetch(),
    signedIn(next) {
      batch(() => {
        setNotice(null);
        setUser(next);
      });
    },
    profileChanged(changes) {
      const current = user();
      if (current) mutate({ ...current, ...changes });
    },
    onChanged(listener) {
      changeListeners.add(listener);
      const stop = () => changeListeners.delete(listener);
      if (getOwner()) onCleanup(stop);
      return stop;
    },
    async logout() {
      leaving = true;
      try {
        await trpc.auth.logout.mutate();
        const id = user()?.id;
        // Drafts and unsent messages stay with the account, not with this browser.
        if (id !== undefined) forgetAccount(id);
        batch(() => {
          setNotice(null);
          setUser(null);
        });
        navigate('/login');
      } finally {
        leaving = false;
      }
    },
  };
}

export const AuthContext = createContext<Auth>();

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth must be used inside <AuthProvider>.');
  return auth;
}
