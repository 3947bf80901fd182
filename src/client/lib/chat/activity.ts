import { createSignal, onCleanup } from 'solid-js';
import { isServerError } from '../errors.ts';
import { trpc } from '../trpc.ts';

export interface Typist {
  id: number;
  displayName: string;
}

/** The server's typing signals last five seconds; a clock far off from the server's falls back to that. */
const fallbackTypingMs = 5_000;

function typingLasts(expiresAt: string): number {
  const left = Date.parse(expiresAt) - Date.now();
  return left > 0 && left <= 15_000 ? left : fallbackTypingMs;
}

/**
 * A room's ephemeral activity: who is typing (each name dropped when its signal expires, or when their message
 * arrives) and, for the public room, how many people are connected.
 */
export function createActivity(roomId: number, myId: number | null) {
  const [typists, setTypists] = createSignal<Typist[]>([]);
  const [connected, setConnected] = createSignal<number | null>(null);
  const timers = new Map<number, ReturnType<typeof setTimeout>>();

  const stopped = (userId: number) => {
    clearTimeout(timers.get(userId));
    timers.delete(userId);
    setTypists((list) => list.filter((typist) => typist.id !== userId));
  };

  const subscription = trpc.chat.onActivity.subscribe(
    { roomId },
    {
      onData(event) {
        if (event.type === 'presence') {
          setConnected(event.connected);
          return;
        }
        const { id, displayName } = event.user;
        if (id === myId) return;
        clearTimeout(timers.get(id));
        timers.set(
          id,
          setTimeout(() => stopped(id), typingLasts(event.expiresAt)),
        );
        setTypists((list) =>
          list.some((typist) => typist.id === id) ? list : [...list, { id, displayName }],
        );
      },
      onError(error) {
        // A room that is not there, or not the reader's, is the conversation's to explain; nothing went wrong.
        if (isServerError(error, 'NOT_FOUND') || isServerError(error, 'FORBIDDEN')) return;
        console.warn('Room activity stopped', error);
      },
    },
  );
  onCleanup(() => {
    subscription.unsubscribe();
    for (const timer of timers.values()) clearTimeout(timer);
  });

  return { typists, connected, stopped };
}

/** "Alice is typing…", "Alice and Bob are typing…", "Alice, Bob and 2 others are typing…". */
export function typingText(typists: readonly Typist[]): string {
  const names = typists.map((typist) => typist.displayName);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
}
