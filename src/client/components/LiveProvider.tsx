import { useNavigate } from '@solidjs/router';
import type { ParentProps } from 'solid-js';
import { useAuth } from '../lib/auth.ts';
import { createFriends, FriendsContext } from '../lib/friends.ts';
import { createNotifications, NotificationsContext } from '../lib/notifications.ts';

/** The signed-in user's live state: the notifications stream, and the friends it keeps current. */
export function LiveProvider(props: ParentProps) {
  const auth = useAuth();
  const notifications = createNotifications(auth);
  const friends = createFriends(auth, notifications, useNavigate());
  return (
    <NotificationsContext.Provider value={notifications}>
      <FriendsContext.Provider value={friends}>{props.children}</FriendsContext.Provider>
    </NotificationsContext.Provider>
  );
}
