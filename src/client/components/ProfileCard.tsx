import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { formatDate, formatDay, plural } from '../lib/format.ts';
import type { Relation } from '../lib/friends.ts';
import type { RouterOutputs } from '../lib/trpc.ts';
import { Avatar } from './Avatar.tsx';
import { PersonActions, relationLabels } from './PersonActions.tsx';

export type Profile = RouterOutputs['users']['byUsername'];

/** Someone's profile card: who they are, since when, how you relate, and the buttons that fit. */
export function ProfileCard(props: { profile: Profile; onChange: (relation: Relation) => void }) {
  const self = () => props.profile.relation === 'self';
  return (
    <article class="panel profile-card" aria-labelledby="profile-name">
      <div class="profile-cover" aria-hidden="true" />
      <div class="profile-head">
        <Avatar
          name={props.profile.displayName}
          username={props.profile.username}
          url={props.profile.avatarUrl}
          size="huge"
        />
        <Show
          when={!self()}
          fallback={
            <A href="/account/profile" class="button">
              Edit profile
            </A>
          }
        >
          <PersonActions
            user={props.profile}
            relation={props.profile.relation}
            unfriend
            block
            onChange={props.onChange}
          />
        </Show>
      </div>
      <div class="profile-names">
        <h1 id="profile-name" class="profile-display" tabIndex={-1}>
          {props.profile.displayName}
        </h1>
        <p class="profile-handle">
          @{props.profile.username}
          <Show when={relationLabels[props.profile.relation]}>
            {(label) => <span class="relation-tag">{label()}</span>}
          </Show>
        </p>
      </div>
      <Show when={props.profile.bio}>
        <p class="profile-bio">{props.profile.bio}</p>
      </Show>
      <dl class="profile-facts">
        <div>
          <dt>Joined</dt>
          <dd>
            <time datetime={props.profile.joinedAt} title={formatDate(props.profile.joinedAt)}>
              {formatDay(props.profile.joinedAt)}
            </time>
          </dd>
        </div>
        <div>
          <dt>Friends</dt>
          <dd>{plural(props.profile.friendCount, 'friend')}</dd>
        </div>
        <Show when={props.profile.email}>
          {(email) => (
            <div>
              <dt>Email</dt>
              <dd>
                <a href={`mailto:${email()}`}>{email()}</a>
              </dd>
            </div>
          )}
        </Show>
      </dl>
    </article>
  );
}
