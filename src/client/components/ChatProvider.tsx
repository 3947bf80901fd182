import { useLocation, useNavigate } from '@solidjs/router';
import { createMemo, on, type ParentProps } from 'solid-js';
import { AlertsContext, createMessageAlerts } from '../lib/alerts/message-alerts.ts';
import { useAuth } from '../lib/auth.ts';
import { ChatContext, type ChatSession, createChatSession } from '../lib/chat/session.ts';
import { roomHref } from '../lib/chat/types.ts';
import { useFriends } from '../lib/friends.ts';
import { useNotifications } from '../lib/notifications.ts';
import { createTitle, TitleProvider } from '../lib/title.ts';

/**
 * Holds the signed-in person's chat session (inside LiveProvider, whose inbox stream keeps it current): built when
 * someone signs in, torn down (streams closed, outboxes dropped) when another person signs in or out. The tab's
 * title counts what is unread: messages in every room, and notifications. New messages may alert the person too.
 */
export function ChatProvider(props: ParentProps) {
  const auth = useAuth();
  const notifications = useNotifications();
  const friends = useFriends();
  const userId = createMemo(() => auth.user()?.id);
  // Created inside the memo, so the previous person's session is disposed when the memo runs again.
  const session = createMemo(
    on(userId, (id) => (id === undefined ? null : createChatSession(id, auth, notifications, friends))),
  );
  const unreadMessages = () =>
    session()
      ?.rooms()
      ?.reduce((sum, room) => sum + room.unread, 0) ?? 0;
  const claimTitle = createTitle(() => unreadMessages() + notifications.unread());
  const location = useLocation();
  const navigate = useNavigate();
  /** The conversation on screen: `/chat/:id`, or the public room at `/`. */
  const openRoomId = (chat: ChatSession) => {
    const path = location.pathname;
    if (path === '/') return chat.publicRoom()?.id ?? null;
    const match = /^\/chat\/(\d+)$/.exec(path);
    return match ? Number(match[1]) : null;
  };
  const alerts = createMemo(
    on(session, (chat) =>
      chat
        ? createMessageAlerts({
            session: chat,
            notifications,
            openRoomId: () => openRoomId(chat),
            open: (room) => navigate(roomHref(room)),
          })
        : null,
    ),
  );
  return (
    <ChatContext.Provider value={session}>
      <AlertsContext.Provider value={alerts}>
        <TitleProvider value={claimTitle}>{props.children}</TitleProvider>
      </AlertsContext.Provider>
    </ChatContext.Provider>
  );
}
