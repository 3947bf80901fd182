import { A } from '@solidjs/router';
import { type JSX, type ParentProps, Show } from 'solid-js';
import type { PublicUser } from '../lib/friends.ts';
import { Avatar } from './Avatar.tsx';

export interface PersonRowProps {
  user: PublicUser & { online?: boolean };
  /** A few words after the @username: how you relate, when a request was sent. */
  detail?: JSX.Element;
}

/** One person in a list: avatar (with an online dot when known) and names linking to their profile, then actions. */
export function PersonRow(props: ParentProps<PersonRowProps>) {
  return (
    <li class="person">
      <A href={`/u/${encodeURIComponent(props.user.username)}`} class="person-link">
        <span class="avatar-wrap">
          <Avatar name={props.user.displayName} username={props.user.username} url={props.user.avatarUrl} />
          <Show when={props.user.online !== undefined}>
            <span class="presence" classList={{ 'presence-online': props.user.online }} aria-hidden="true" />
          </Show>
        </span>
        <span class="person-names">
          <span class="person-name">
            {props.user.displayName}
            <Show when={props.user.online !== undefined}>
              <span class="sr-only">{props.user.online ? ' (online)' : ' (offline)'}</span>
            </Show>
          </span>
          <span class="person-handle">
            @{props.user.username}
            <Show when={props.detail}>
              <span class="person-detail"> · {props.detail}</span>
            </Show>
          </span>
        </span>
      </A>
      {props.children}
    </li>
  );
}
