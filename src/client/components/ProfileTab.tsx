import { A } from '@solidjs/router';
import { createResource, Match, Switch } from 'solid-js';
import { useAuth } from '../lib/auth.ts';
import { describeError } from '../lib/errors.ts';
import { trpc } from '../lib/trpc.ts';
import { FormAlert } from './Alert.tsx';
import { AvatarEditor } from './AvatarEditor.tsx';
import { ProfileForm } from './ProfileForm.tsx';

/** Account › Profile: your picture, and what people see on your profile page. */
export function ProfileTab() {
  const auth = useAuth();
  const username = () => auth.user()?.username;
  const [profile] = createResource(username, (name) => trpc.users.byUsername.query({ username: name }));

  return (
    <>
      <AvatarEditor />
      <section class="panel" aria-labelledby="profile-heading">
        <h2 id="profile-heading" class="panel-title">
          Profile
        </h2>
        <p class="panel-text">
          What people see on <A href={`/u/${encodeURIComponent(username() ?? '')}`}>your profile page</A>.
        </p>
        <Switch fallback={<p class="muted">Loading…</p>}>
          <Match when={profile.error}>
            <FormAlert message={describeError(profile.error).message ?? 'Could not load your profile.'} />
          </Match>
          <Match when={profile.latest}>{(loaded) => <ProfileForm profile={loaded()} />}</Match>
        </Switch>
      </section>
    </>
  );
}
