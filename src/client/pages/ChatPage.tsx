import { useParams, useSearchParams } from '@solidjs/router';
import { Match, Show, Switch } from 'solid-js';
import { Conversation, ConversationMissing } from '../components/chat/Conversation.tsx';
import { RoomList } from '../components/chat/RoomList.tsx';
import { useChat } from '../lib/chat/session.ts';

/** `/chat`: every conversation with its latest message; on a phone, where the sidebar is a drawer, the way in. */
function ChatIndex() {
  const chat = useChat();
  return (
    <div class="page chat-index">
      <h1 class="page-title">Messages</h1>
      <Switch
        fallback={
          <p class="muted" role="status">
            Loading conversations…
          </p>
        }
      >
        <Match when={chat()?.rooms()}>
          {(rooms) => (
            <>
              <RoomList rooms={rooms()} label="Conversations" large />
              <Show when={rooms().every((room) => room.kind === 'public')}>
                <p class="muted">
                  Direct messages with your friends will be listed here. Find people with the search at the
                  top.
                </p>
              </Show>
            </>
          )}
        </Match>
        <Match when={chat()?.roomsStatus() === 'error'}>
          <div role="alert" class="conversation-problem">
            <p>Your conversations could not be loaded.</p>
            <button type="button" class="button" onClick={() => chat()?.reloadRooms()}>
              Try again
            </button>
          </div>
        </Match>
      </Switch>
    </div>
  );
}

/** `/chat` and `/chat/:roomId`: the room list, or one conversation by its address (deep links work). */
export function ChatPage() {
  const params = useParams<{ roomId?: string }>();
  const [search] = useSearchParams<{ message?: string }>();
  const roomId = () => (/^\d{1,9}$/.test(params.roomId ?? '') ? Number(params.roomId) : null);
  // `?message=<seq>`: a search hit's link opens the conversation at that message.
  const focusSeq = () => (/^\d{1,15}$/.test(search.message ?? '') ? Number(search.message) : null);
  return (
    <Show when={params.roomId} fallback={<ChatIndex />}>
      <Show when={roomId()} keyed fallback={<ConversationMissing />}>
        {(id) => <Conversation roomId={id} focusSeq={focusSeq()} />}
      </Show>
    </Show>
  );
}
