import { createMemo, createSignal, For, onCleanup } from 'solid-js';
import { userStatuses } from '../../../shared/admin.ts';
import { adminProblem, createPagedList } from '../../lib/admin.ts';
import { useAuth } from '../../lib/auth.ts';
import { trpc } from '../../lib/trpc.ts';
import { PagedView, TableScroll } from './PagedView.tsx';
import { UserRow } from './UserRow.tsx';

type UserStatus = (typeof userStatuses)[number];
const statusLabels: Record<UserStatus, string> = {
  all: 'Everyone',
  active: 'Active',
  banned: 'Banned',
  muted: 'Muted',
};
/** Long enough to wait for the next key, short enough to feel instant. */
const searchDelayMs = 300;

/** Everyone on the server, newest first: search, a status filter, and each person's moderation actions. */
export function UsersTab() {
  const auth = useAuth();
  const [query, setQuery] = createSignal('');
  const [status, setStatus] = createSignal<UserStatus>('all');
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const search = (text: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => setQuery(text.trim()), searchDelayMs);
  };

  const filter = createMemo(() => ({ query: query(), status: status() }), undefined, {
    equals: (a, b) => a.query === b.query && a.status === b.status,
  });
  const users = createPagedList(
    filter,
    ({ query, status }, cursor) => trpc.admin.users.list.query({ query: query || undefined, status, cursor }),
    (error) => adminProblem(error, auth, 'The users could not be loaded.'),
  );

  return (
    <section class="admin-panel" aria-labelledby="admin-users-title">
      <h2 id="admin-users-title" class="sr-only">
        Users
      </h2>
      <search class="admin-toolbar" aria-label="Find users">
        <div class="field admin-search">
          <label class="field-label" for="admin-users-search">
            Search users
          </label>
          <input
            id="admin-users-search"
            class="input"
            type="search"
            placeholder="Name, username or email"
            autocomplete="off"
            spellcheck={false}
            maxLength={60}
            onInput={(event) => search(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Enter searches at once, without waiting for the pause.
              if (event.key !== 'Enter') return;
              clearTimeout(timer);
              setQuery(event.currentTarget.value.trim());
            }}
          />
        </div>
        <div class="field">
          <label class="field-label" for="admin-users-status">
            Status
          </label>
          <select
            id="admin-users-status"
            class="input"
            value={status()}
            onChange={(event) => setStatus(event.currentTarget.value as UserStatus)}
          >
            <For each={userStatuses}>{(value) => <option value={value}>{statusLabels[value]}</option>}</For>
          </select>
        </div>
      </search>
      <PagedView list={users} what="users" empty="Nobody matches that search.">
        <TableScroll labelledBy="admin-users-caption">
          <table class="admin-table admin-table-cards">
            <caption id="admin-users-caption">People on Parley, newest first</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Activity</th>
                <th scope="col" class="admin-number">
                  Messages
                </th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              <For each={users.items}>
                {(user) => (
                  <UserRow
                    user={user}
                    self={user.id === auth.user()?.id}
                    onChange={(change) => users.update(user.id, change)}
                  />
                )}
              </For>
            </tbody>
          </table>
        </TableScroll>
      </PagedView>
    </section>
  );
}
