import { Show } from 'solid-js';
import { type AdminUser, untilText } from '../../lib/admin.ts';
import { Avatar } from '../Avatar.tsx';
import { RelativeTime } from '../RelativeTime.tsx';
import { UserActions } from './UserActions.tsx';

function Restriction(props: {
  label: string;
  until: string;
  reason: string | null;
  tone: 'danger' | 'warn';
}) {
  return (
    <div class="admin-status">
      <span class="status-tag" classList={{ [`status-tag-${props.tone}`]: true }}>
        {props.label}
      </span>
      <time class="admin-status-until" datetime={props.until}>
        {untilText(props.until)}
      </time>
      <Show when={props.reason}>
        <span class="admin-status-reason">“{props.reason}”</span>
      </Show>
    </div>
  );
}

/** One person in the admin table: who they are, where they stand, and the actions for them. */
export function UserRow(props: {
  user: AdminUser;
  self: boolean;
  onChange: (change: Partial<AdminUser>) => void;
}) {
  const name = () => props.user.displayName;
  const at = () => props.user.email.lastIndexOf('@');
  const emailLocal = () => props.user.email.slice(0, Math.max(at(), 0));
  const emailDomain = () => props.user.email.slice(Math.max(at(), 0));
  const muted = () => Boolean(props.user.mutedUntil);
  const banned = () => Boolean(props.user.bannedUntil);

  return (
    <tr>
      <th scope="row">
        <span class="admin-user">
          <Avatar name={name()} username={props.user.username} url={props.user.avatarUrl} />
          <span class="person-names">
            <span class="person-name">{name()}</span>
            <span class="person-handle">@{props.user.username}</span>
          </span>
        </span>
      </th>
      <td class="admin-email" data-label="Email">
        {/* A long address may break before its @, never in the middle of a name. */}
        {emailLocal()}
        <wbr />
        {emailDomain()}
      </td>
      <td data-label="Role">
        <Show when={props.user.role === 'admin'} fallback="User">
          <span class="relation-tag">Admin</span>
        </Show>
      </td>
      <td data-label="Status">
        <Show when={banned() || muted()} fallback={<span class="status-tag">Active</span>}>
          <Show when={props.user.bannedUntil}>
            {(until) => (
              <Restriction label="Banned" until={until()} reason={props.user.banReason} tone="danger" />
            )}
          </Show>
          <Show when={props.user.mutedUntil}>
            {(until) => (
              <Restriction label="Muted" until={until()} reason={props.user.muteReason} tone="warn" />
            )}
          </Show>
        </Show>
      </td>
      <td class="admin-activity">
        <span>
          Joined <RelativeTime iso={props.user.createdAt} />
        </span>
        <span>
          Last seen{' '}
          <Show when={props.user.lastSeenAt} fallback="never">
            {(seen) => <RelativeTime iso={seen()} />}
          </Show>
        </span>
      </td>
      <td class="admin-number" data-label="Messages">
        {props.user.messageCount.toLocaleString()}
      </td>
      <td class="admin-row-actions">
        <UserActions user={props.user} self={props.self} onChange={props.onChange} />
      </td>
    </tr>
  );
}
