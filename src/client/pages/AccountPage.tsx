import { Show } from 'solid-js';
import { ApiTokens } from '../components/ApiTokens.tsx';
import { Avatar } from '../components/Avatar.tsx';
import { ChangePasswordForm } from '../components/ChangePasswordForm.tsx';
import { useAuth } from '../lib/auth.ts';

export function AccountPage() {
  const auth = useAuth();
  return (
    <div class="page">
      <h1 class="page-title">Account settings</h1>
      <Show when={auth.user()}>
        {(user) => (
          <section class="panel profile-summary" aria-label="Your profile">
            <Avatar name={user().displayName} username={user().username} size="large" />
            <div>
              <p class="profile-name">{user().displayName}</p>
              <p class="muted">
                @{user().username} · {user().email}
              </p>
            </div>
          </section>
        )}
      </Show>
      <ChangePasswordForm />
      <ApiTokens />
    </div>
  );
}
