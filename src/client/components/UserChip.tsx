import type { Me } from '../lib/auth.ts';
import { connection } from '../lib/trpc.ts';
import { Avatar } from './Avatar.tsx';

/** Who is signed in, with a dot that turns green once this tab's live connection is up. */
export function UserChip(props: { user: Me; live: boolean }) {
  const online = () => props.live && connection() === 'connected';
  return (
    <div class="user-chip">
      <span class="avatar-wrap">
        <Avatar name={props.user.displayName} username={props.user.username} url={props.user.avatarUrl} />
        <span class="presence" classList={{ 'presence-online': online() }} aria-hidden="true" />
      </span>
      <span class="user-names">
        <span class="user-display">{props.user.displayName}</span>
        <span class="user-handle">@{props.user.username}</span>
      </span>
      <span class="sr-only">{online() ? 'Online' : 'Connecting…'}</span>
    </div>
  );
}
