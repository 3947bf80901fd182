import { createMemo, on, type ParentProps } from 'solid-js';
import { useAuth } from '../lib/auth.ts';
import { ChatContext, createChatSession } from '../lib/chat/session.ts';
import { useFriends } from '../lib/friends.ts';
import { useNotifications } from '../lib/notifications.ts';
import { createTitle, TitleProvider } from '../lib/title.ts';

/**
 * Holds the signed-in person's chat session (inside LiveProvider, whose inbox stream keeps it current): built when
 * someone signs in, torn down (streams closed, outboxes dropped) when another person signs in or out. The tab's
 * title counts what is unread: messages in every room, and notifications.
 */
export function ChatProvider(props: ParentProps) {
  const auth = useAuth();
  const notifications = useNotifications();
  const friends = useFriends();
  const userId = createMemo(() => auth.user()?.id);
  // Created inside the memo, so the previous person's session is disposed when the memo runs again.
  const session = createMemo(
    on(userId, (id) => (id === undefined ? null : createChatSession(id, notifications, friends))),
  );
  const unreadMessages = () =>
    session()
      ?.rooms()
      ?.reduce((sum, room) => sum + room.unread, 0) ?? 0;
  const claimTitle = createTitle(() => unreadMessages() + notifications.unread());
  return (
    <ChatContext.Provider value={session}>
      <TitleProvider value={claimTitle}>{props.children}</TitleProvider>
    </ChatContext.Provider>
  );
}
