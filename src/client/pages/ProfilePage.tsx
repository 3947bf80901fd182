import { A, useParams } from '@solidjs/router';
import { createEffect, createResource, Match, on, Switch } from 'solid-js';
import { FormAlert } from '../components/Alert.tsx';
import { ProfileCard } from '../components/ProfileCard.tsx';
import { focusIfLost } from '../lib/dismiss.ts';
import { describeError, isServerError } from '../lib/errors.ts';
import { useFriends } from '../lib/friends.ts';
import { trpc } from '../lib/trpc.ts';

/** `/u/:username`: someone's profile, with what you can do about them; refreshed when your friends change. */
export function ProfilePage() {
  const params = useParams<{ username: string }>();
  const friends = useFriends();
  const [profile, { mutate, refetch }] = createResource(
    () => ({ username: params.username, changes: friends.changes() }),
    ({ username }) => trpc.users.byUsername.query({ username }),
  );
  // A name that cannot be a username is as missing as one nobody has.
  const missing = () =>
    isServerError(profile.error, 'NOT_FOUND') || isServerError(profile.error, 'BAD_REQUEST');
  let page: HTMLDivElement | undefined;
  // Arriving from a link that went away with the page before (a search hit, say), the keyboard starts here.
  createEffect(
    on(
      () => profile.state === 'ready' || missing(),
      (shown) => shown && focusIfLost(page?.querySelector<HTMLElement>('h1')),
    ),
  );

  return (
    <div class="page profile-page" ref={page}>
      <Switch>
        <Match when={missing()}>
          <section class="panel empty-state" aria-labelledby="missing-title">
            <h1 id="missing-title" class="page-title" tabIndex={-1}>
              No one here
            </h1>
            <p class="muted">
              There is no one called <strong>@{params.username}</strong> on Parley. The name may be mistyped,
              or they may have changed it.
            </p>
            <A href="/" class="button button-primary">
              Back to Parley
            </A>
          </section>
        </Match>
        <Match when={profile.error}>
          <FormAlert message={describeError(profile.error).message ?? 'Could not load this profile.'} />
          <button type="button" class="button" onClick={() => refetch()}>
            Try again
          </button>
        </Match>
        <Match when={profile.state === 'pending' || profile.state === 'unresolved'}>
          <p class="muted" role="status">
            Loading profile…
          </p>
        </Match>
        <Match when={profile.latest}>
          {(shown) => (
            <ProfileCard profile={shown()} onChange={(relation) => mutate({ ...shown(), relation })} />
          )}
        </Match>
      </Switch>
    </div>
  );
}
