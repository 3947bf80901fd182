import { A } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { ChatIcon, HashIcon, SettingsIcon } from './Icons.tsx';

function SidebarSection(props: { id: string; title: string; icon: JSX.Element; children: JSX.Element }) {
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

/** The list of conversations. For now it shows where rooms and direct messages will appear. */
export function Sidebar(props: { onClose: () => void }) {
  return (
    <nav
      id="sidebar"
      class="sidebar"
      aria-label="Conversations"
      onKeyDown={(event) => event.key === 'Escape' && props.onClose()}
    >
      <SidebarSection id="sidebar-public" title="Public room" icon={<HashIcon />}>
        <p class="sidebar-empty">The public room will open here, for everyone on this server.</p>
      </SidebarSection>
      <SidebarSection id="sidebar-direct" title="Direct messages" icon={<ChatIcon />}>
        <p class="sidebar-empty">No conversations yet. Chats with your friends will be listed here.</p>
      </SidebarSection>
      <div class="sidebar-footer">
        <A href="/account" class="sidebar-link" activeClass="sidebar-link-active">
          <SettingsIcon />
          Account settings
        </A>
      </div>
    </nav>
  );
}
