import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { Avatar } from '../components/Avatar.tsx';
import { useAuth } from '../lib/auth.ts';

/** The conversation area before any room is open. */
export function HomePage() {
  const auth = useAuth();
  return (
    <Show when={auth.user()}>
      {(user) => (
        <div class="welcome">
          <Avatar name={user().displayName} username={user().username} size="large" />
          <h1 class="welcome-title">Welcome, {user().displayName}</h1>
          <p class="welcome-text">
            This is your Parley. Conversations appear in the sidebar: the public room everyone shares, and
            direct messages with your friends.
          </p>
          <ul class="welcome-tips">
            <li>
              <strong>Stay signed in everywhere.</strong> Log out in one tab and every other tab follows.
            </li>
            <li>
              <strong>Script it.</strong> Create a personal API token in{' '}
              <A href="/account">Account settings</A>.
            </li>
          </ul>
        </div>
      )}
    </Show>
  );
}
