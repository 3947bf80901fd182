import { useNavigate, useParams } from '@solidjs/router';
import { createSignal, Match, Switch } from 'solid-js';
import { ApiTokens } from '../components/ApiTokens.tsx';
import { NotificationSettings } from '../components/alerts/NotificationSettings.tsx';
import { ChangePasswordForm } from '../components/ChangePasswordForm.tsx';
import { BlockedTab, FriendsTab, RequestsTab } from '../components/PeopleTabs.tsx';
import { ProfileTab } from '../components/ProfileTab.tsx';
import { type TabItem, Tabs } from '../components/Tabs.tsx';
import { current, useFriends } from '../lib/friends.ts';

const tabIds = ['profile', 'friends', 'requests', 'blocked', 'notifications', 'security'] as const;
type TabId = (typeof tabIds)[number];
const isTab = (value: string | undefined): value is TabId => tabIds.includes(value as TabId);

/**
 * `/account/:tab?`: your profile, friends, requests, blocks, notifications and security, one tab each; each has
 * its own URL.
 */
export function AccountPage() {
  const params = useParams<{ tab?: string }>();
  const navigate = useNavigate();
  const friends = useFriends();
  const selected = (): TabId => (isTab(params.tab) ? params.tab : 'profile');
  const requests = () => current(friends.requests);
  const [passwordChanges, setPasswordChanges] = createSignal(0);

  const tabs = (): TabItem<TabId>[] => [
    { id: 'profile', label: 'Profile' },
    { id: 'friends', label: 'Friends', count: current(friends.list)?.length },
    {
      id: 'requests',
      label: 'Requests',
      count: (requests()?.incoming.length ?? 0) + (requests()?.outgoing.length ?? 0),
    },
    { id: 'blocked', label: 'Blocked', count: current(friends.blocked)?.length },
    { id: 'notifications', label: 'Notifications' },
    { id: 'security', label: 'Security' },
  ];

  return (
    <div class="page">
      <h1 class="page-title">Account settings</h1>
      <Tabs
        label="Account settings"
        tabs={tabs()}
        selected={selected()}
        onSelect={(id, viaKeyboard) => navigate(`/account/${id}`, { replace: viaKeyboard })}
      >
        <Switch>
          <Match when={selected() === 'profile'}>
            <ProfileTab />
          </Match>
          <Match when={selected() === 'friends'}>
            <FriendsTab />
          </Match>
          <Match when={selected() === 'requests'}>
            <RequestsTab />
          </Match>
          <Match when={selected() === 'blocked'}>
            <BlockedTab />
          </Match>
          <Match when={selected() === 'notifications'}>
            <NotificationSettings />
          </Match>
          <Match when={selected() === 'security'}>
            <ChangePasswordForm onChanged={() => setPasswordChanges((count) => count + 1)} />
            <ApiTokens generation={passwordChanges()} />
          </Match>
        </Switch>
      </Tabs>
    </div>
  );
}
