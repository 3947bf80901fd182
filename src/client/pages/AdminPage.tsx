import { useNavigate, useParams } from '@solidjs/router';
import { Match, Show, Switch } from 'solid-js';
import { AuditTab } from '../components/admin/AuditTab.tsx';
import { ReportsTab } from '../components/admin/ReportsTab.tsx';
import { StatsTab } from '../components/admin/StatsTab.tsx';
import { UsersTab } from '../components/admin/UsersTab.tsx';
import { type TabItem, Tabs } from '../components/Tabs.tsx';
import { useAuth } from '../lib/auth.ts';
import { usePageTitle } from '../lib/title.ts';
import { ForbiddenPage } from './ForbiddenPage.tsx';

const tabIds = ['users', 'reports', 'audit', 'stats'] as const;
type TabId = (typeof tabIds)[number];
const isTab = (value: string | undefined): value is TabId => tabIds.includes(value as TabId);

const tabs: TabItem<TabId>[] = [
  { id: 'users', label: 'Users' },
  { id: 'reports', label: 'Reports' },
  { id: 'audit', label: 'Audit log' },
  { id: 'stats', label: 'Stats' },
];

/** `/admin/:tab?`: people, the report queue, the audit log and live numbers, one tab each; admins only. */
export function AdminPage() {
  const auth = useAuth();
  // The server checks every call too; this only decides what to show.
  return (
    <Show when={auth.user()?.role === 'admin'} fallback={<ForbiddenPage />}>
      <AdminConsole />
    </Show>
  );
}

function AdminConsole() {
  const params = useParams<{ tab?: string }>();
  const navigate = useNavigate();
  const selected = (): TabId => (isTab(params.tab) ? params.tab : 'users');
  usePageTitle(() => 'Admin');

  return (
    <div class="page page-wide">
      <div>
        <h1 class="page-title">Admin</h1>
        <p class="muted">Moderate people and messages, and keep an eye on the servers.</p>
      </div>
      <Tabs
        label="Admin"
        tabs={tabs}
        selected={selected()}
        onSelect={(id, viaKeyboard) => navigate(`/admin/${id}`, { replace: viaKeyboard })}
      >
        <Switch>
          <Match when={selected() === 'users'}>
            <UsersTab />
          </Match>
          <Match when={selected() === 'reports'}>
            <ReportsTab />
          </Match>
          <Match when={selected() === 'audit'}>
            <AuditTab />
          </Match>
          <Match when={selected() === 'stats'}>
            <StatsTab />
          </Match>
        </Switch>
      </Tabs>
    </div>
  );
}
