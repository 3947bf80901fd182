import { A, useLocation } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { messagePreview } from '../../lib/chat/preview.ts';
import { type ChatSession, useChat } from '../../lib/chat/session.ts';
import { type Message, type Room, roomHref } from '../../lib/chat/types.ts';
import { createNow, exactTime, shortTime } from '../../lib/time.ts';
import { Avatar } from '../Avatar.tsx';
import { BellOffIcon } from '../alerts/AlertIcons.tsx';
import { HashIcon } from '../Icons.tsx';

function preview(room: Room, myId: number): string {
  const last = room.lastMessage;
  if (!last) return room.kind === 'public' ? 'Everyone on this server' : 'No messages yet';
  // Shown only until the list says which message is now the newest.
  const text = last.deletedAt ? 'Message deleted' : messagePreview(last);
  if (last.sender.id === myId) return `You: ${text}`;
  return room.kind === 'public' ? `${last.sender.displayName}: ${text}` : text;
}

/** Whether the page shows this room: the public one lives at `/` as well as at its own address. */
export function isShowing(room: Room, pathname: string): boolean {
  return pathname === `/chat/${room.id}` || (room.kind === 'public' && pathname === '/');
}

function RoomIcon(props: { room: Room; online: boolean }) {
  return (
    <Show
      when={props.room.other}
      fallback={
        <span class="room-hash" aria-hidden="true">
          <HashIcon />
        </span>
      }
    >
      {(other) => (
        <span class="avatar-wrap">
          <Avatar name={other().displayName} username={other().username} url={other().avatarUrl} />
          <Show when={!props.room.formerFriend}>
            <span class="presence" classList={{ 'presence-online': props.online }} aria-hidden="true" />
          </Show>
        </span>
      )}
    </Show>
  );
}

function RoomItem(props: { room: Room; session: ChatSession; now: number }) {
  const location = useLocation();
  const active = () => isShowing(props.room, location.pathname);
  const online = () =>
    props.room.other && !props.room.formerFriend ? props.session.isOnline(props.room.other.id) : false;
  // The room on screen is being read: its count is about to drop, so a badge would only flicker.
  const unread = () => (active() ? 0 : props.room.unread);
  // Slack's and Discord's "@": some of the unread messages name you.
  const mentions = () => (active() ? 0 : Math.min(props.room.mentions, unread()));
  return (
    <li>
      <A
        href={roomHref(props.room)}
        class="room-link"
        classList={{ 'room-link-active': active(), 'room-link-unread': unread() > 0 }}
        aria-current={active() ? 'page' : undefined}
      >
        <RoomIcon room={props.room} online={online()} />
        <span class="room-text">
          <span class="room-line">
            <span class="room-name">{props.room.name}</span>
            <Show when={props.room.muted}>
              <span class="room-muted" title="Muted" aria-hidden="true">
                <BellOffIcon />
              </span>
            </Show>
            <Show when={props.room.lastMessage}>
              {(last: () => Message) => (
                <time class="room-time" datetime={last().createdAt} title={exactTime(last().createdAt)}>
                  {shortTime(last().createdAt, props.now)}
                </time>
              )}
            </Show>
          </span>
          <span class="room-line">
            <span class="room-preview">{preview(props.room, props.session.userId)}</span>
            <Show when={mentions() > 0}>
              <span class="room-badge room-badge-mention" title="Mentions you" aria-hidden="true">
                @{mentions() > 1 ? (mentions() > 99 ? '99+' : mentions()) : ''}
              </span>
            </Show>
            <Show when={unread() > 0}>
              <span class="room-badge" aria-hidden="true">
                {unread() > 99 ? '99+' : unread()}
              </span>
            </Show>
          </span>
        </span>
        <span class="sr-only">
          {props.room.formerFriend
            ? ', no longer friends'
            : props.room.other
              ? online()
                ? ', online'
                : ', offline'
              : ''}
          {props.room.muted ? ', muted' : ''}
          {unread() > 0 ? `, ${unread()} unread` : ''}
          {mentions() > 0 ? `, ${mentions() === 1 ? 'a mention' : `${mentions()} mentions`} of you` : ''}
        </span>
      </A>
    </li>
  );
}

/** Rooms as the sidebar (and the /chat page) lists them: icon or avatar, name, last message, time, unread. */
export function RoomList(props: { rooms: Room[]; label: string; large?: boolean }) {
  const chat = useChat();
  const now = createNow(60_000);
  return (
    <Show when={chat()}>
      {(session) => (
        <ul class="room-list" classList={{ 'room-list-large': props.large }} aria-label={props.label}>
          <For each={props.rooms}>{(room) => <RoomItem room={room} session={session()} now={now()} />}</For>
        </ul>
      )}
    </Show>
  );
}
