import { A } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { useAuth } from '../lib/auth.ts';
import { describeError } from '../lib/errors.ts';
import { CloseIcon, LogoutIcon, MenuIcon, SearchIcon, SettingsIcon } from './Icons.tsx';
import { Logo } from './Logo.tsx';
import { NotificationBell } from './NotificationBell.tsx';
import { PeopleSearch } from './PeopleSearch.tsx';
import { UserChip } from './UserChip.tsx';

export function AppHeader(props: { navOpen: boolean; onToggleNav: () => void }) {
  const auth = useAuth();
  const [leaving, setLeaving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const logout = async () => {
    setLeaving(true);
    setError(null);
    try {
      await auth.logout();
    } catch (cause) {
      setError(describeError(cause).message ?? 'Could not log out.');
    } finally {
      setLeaving(false);
    }
  };

  return (
    <header class="app-header">
      <button
        type="button"
        class="icon-button nav-toggle"
        aria-label={props.navOpen ? 'Hide conversations' : 'Show conversations'}
        aria-expanded={props.navOpen}
        aria-controls="sidebar"
        onClick={() => props.onToggleNav()}
      >
        {props.navOpen ? <CloseIcon /> : <MenuIcon />}
      </button>
      <A href="/" class="brand" aria-label="Parley home">
        <Logo />
      </A>
      <PeopleSearch />
      <div class="header-end">
        <Show when={error()}>
          <p class="header-error" role="alert">
            {error()}
          </p>
        </Show>
        {/* Narrower, the people search's panel offers the same ("Search messages for …"): the field keeps its room. */}
        <A
          href="/search"
          class="icon-button wide-only"
          aria-label="Search messages"
          activeClass="icon-button-active"
        >
          <SearchIcon />
        </A>
        <NotificationBell />
        <Show when={auth.user()}>{(user) => <UserChip user={user()} live={auth.live()} />}</Show>
        <A href="/account" class="icon-button" aria-label="Account settings" activeClass="icon-button-active">
          <SettingsIcon />
        </A>
        <button type="button" class="button button-ghost" disabled={leaving()} onClick={logout}>
          <LogoutIcon />
          <span class="hide-narrow">Log out</span>
        </button>
      </div>
    </header>
  );
}
