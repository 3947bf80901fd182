import { createResource, Match, Show, Switch } from 'solid-js';
import { Conversation } from '../components/chat/Conversation.tsx';
import { describeError } from '../lib/errors.ts';
import { trpc } from '../lib/trpc.ts';

/** `/`: the public room, for everyone. Signed-out visitors read it too, with a prompt to sign in to write. */
export function HomePage() {
  const [room, { refetch }] = createResource(() => trpc.chat.publicRoom.query());
  return (
    <Switch
      fallback={
        <div class="conversation-loading" role="status">
          <span class="spinner" aria-hidden="true" />
          Loading the public room…
        </div>
      }
    >
      <Match when={room.error}>
        <div class="conversation-problem" role="alert">
          <p>{describeError(room.error).message ?? 'The public room could not be loaded.'}</p>
          <button type="button" class="button" onClick={() => void refetch()}>
            Try again
          </button>
        </div>
      </Match>
      <Match when={room()}>
        {(loaded) => (
          <Show when={loaded().id} keyed>
            {(roomId) => <Conversation roomId={roomId} room={loaded()} />}
          </Show>
        )}
      </Match>
    </Switch>
  );
}
