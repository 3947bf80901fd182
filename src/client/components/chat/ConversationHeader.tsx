import { A } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import type { PublicUser } from '../../lib/chat/types.ts';
import { Avatar } from '../Avatar.tsx';
import { HashIcon } from '../Icons.tsx';

export interface ConversationHeaderProps {
  kind: 'public' | 'private';
  name: string;
  /** The other member of a private room, when known. */
  other?: PublicUser;
  online?: boolean;
  /** People connected right now (the public room only). */
  connected?: number | null;
  /** Controls at the header's end (muting the conversation). */
  actions?: JSX.Element;
}

function PublicSubtitle(props: { connected?: number | null }) {
  return (
    <p class="conversation-subtitle">
      <span>Everyone on this server</span>
      <Show when={props.connected !== null && props.connected !== undefined}>
        <span class="conversation-online">
          <span class="online-dot" aria-hidden="true" />
          {props.connected} online
        </span>
      </Show>
    </p>
  );
}

function PrivateSubtitle(props: { other?: PublicUser; online?: boolean }) {
  return (
    <p class="conversation-subtitle">
      <Show when={props.other} fallback={<span>Direct message</span>}>
        {(other) => (
          <>
            <A href={`/u/${encodeURIComponent(other().username)}`} class="conversation-handle">
              @{other().username}
            </A>
            {/* Presence is for friends: after an unfriend the header says no more than the name. */}
            <Show when={props.online !== undefined} fallback={<span>No longer friends</span>}>
              <span class="conversation-online" classList={{ 'conversation-offline': !props.online }}>
                <span class="online-dot" aria-hidden="true" />
                {props.online ? 'Online' : 'Offline'}
              </span>
            </Show>
          </>
        )}
      </Show>
    </p>
  );
}

/** The room's name and what is known about it now: how many people are here, or whether the friend is online. */
export function ConversationHeader(props: ConversationHeaderProps) {
  return (
    <header class="conversation-header">
      <Show
        when={props.kind === 'private'}
        fallback={
          <span class="room-hash room-hash-large" aria-hidden="true">
            <HashIcon />
          </span>
        }
      >
        <span class="avatar-wrap">
          <Avatar
            name={props.other?.displayName ?? props.name}
            username={props.other?.username ?? props.name}
            url={props.other?.avatarUrl}
          />
          <Show when={props.other && props.online !== undefined}>
            <span class="presence" classList={{ 'presence-online': props.online }} aria-hidden="true" />
          </Show>
        </span>
      </Show>
      <div class="conversation-title-block">
        <h1 class="conversation-title">{props.name}</h1>
        <Show when={props.kind === 'private'} fallback={<PublicSubtitle connected={props.connected} />}>
          <PrivateSubtitle other={props.other} online={props.online} />
        </Show>
      </div>
      <div class="conversation-actions">{props.actions}</div>
    </header>
  );
}
