import { A } from '@solidjs/router';
import { type JSX, Match, Show, Switch } from 'solid-js';
import { useAuth } from '../lib/auth.ts';
import { useChat } from '../lib/chat/session.ts';
import { NotificationHint } from './alerts/NotificationHint.tsx';
import { LockIcon } from './chat/ChatIcons.tsx';
import { RoomList } from './chat/RoomList.tsx';
import { ChatIcon, HashIcon, SettingsIcon, ShieldIcon } from './Icons.tsx';

function SidebarSection(props: { id: string; title: JSX.Element; icon: JSX.Element; children: JSX.Element }) {
  return (
    <section class="sidebar-section" aria-labelledby={props.id}>
      <h2 id={props.id} class="sidebar-heading">
        {props.icon}
        {props.title}
      </h2>
      {props.children}
    </section>
  );
}

/** Grey rows where the rooms will be, so the sidebar does not jump when they arrive. */
function RoomsLoading() {
  return (
    <div class="room-skeletons" role="status">
      <span class="sr-only">Loading conversations…</span>
      <span class="room-skeleton" aria-hidden="true" />
      <span class="room-skeleton" aria-hidden="true" />
      <span class="room-skeleton" aria-hidden="true" />
    </div>
  );
}

/** The signed-in person's conversations, kept live: the public room, then direct messages by latest activity. */
export function Sidebar(props: { onClose: () => void }) {
  const chat = useChat();
  const auth = useAuth();
  const rooms = () => chat()?.rooms();
  const publicRooms = () => rooms()?.filter((room) => room.kind === 'public') ?? [];
  const privateRooms = () => rooms()?.filter((room) => room.kind === 'private' && !room.formerFriend) ?? [];
  const formerRooms = () => rooms()?.filter((room) => room.formerFriend) ?? [];

  return (
    <nav
      id="sidebar"
      class="sidebar"
      aria-label="Conversations"
      onKeyDown={(event) => event.key === 'Escape' && props.onClose()}
    >
      <NotificationHint />
      <Switch fallback={<RoomsLoading />}>
        <Match when={chat()?.roomsStatus() === 'error' && !rooms()}>
          <div class="sidebar-error" role="alert">
            <p>Your conversations could not be loaded.</p>
            <button type="button" class="button" onClick={() => chat()?.reloadRooms()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={rooms()}>
          <SidebarSection id="sidebar-public" title="Rooms" icon={<HashIcon />}>
            <RoomList rooms={publicRooms()} label="Rooms" />
          </SidebarSection>
          <SidebarSection
            id="sidebar-direct"
            title={
              <A href="/chat" class="sidebar-heading-link">
                Direct messages
              </A>
            }
            icon={<ChatIcon />}
          >
            <Show
              when={privateRooms().length > 0}
              fallback={
                <p class="sidebar-empty">
                  No conversations yet. Find people with the search at the top, add them as friends, and chat
                  with them here.
                </p>
              }
            >
              <RoomList rooms={privateRooms()} label="Direct messages" />
            </Show>
          </SidebarSection>
          {/* Their history stays readable after an unfriend: the conversations stay reachable, set apart. */}
          <Show when={formerRooms().length > 0}>
            <SidebarSection id="sidebar-former" title="Former friends" icon={<LockIcon />}>
              <RoomList rooms={formerRooms()} label="Former friends" />
            </SidebarSection>
          </Show>
        </Match>
      </Switch>
      <div class="sidebar-footer">
        <Show when={auth.user()?.role === 'admin'}>
          <A href="/admin" class="sidebar-link" activeClass="sidebar-link-active">
            <ShieldIcon />
            Admin
          </A>
        </Show>
        <A href="/account" class="sidebar-link" activeClass="sidebar-link-active">
          <SettingsIcon />
          Account settings
        </A>
      </div>
    </nav>
  );
}
