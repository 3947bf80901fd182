import { createSignal, onCleanup } from 'solid-js';
import { typingTtlMs } from '../../../shared/chat.ts';
import { isServerError } from '../errors.ts';
import { trpc } from '../trpc.ts';

export interface Typist {
  id: number;
  displayName: string;
}

/** How long a signal shows: until it expires by the server's clock, or its whole life when the two clocks differ. */
function typingLasts(expiresAt: string): number {
  const left = Date.parse(expiresAt) - Date.now();
  return left > 0 && left <= 15_000 ? left : typingTtlMs;
}

/**
 * A room's ephemeral activity: who is typing (each name dropped when its signal expires, or when their message
 * arrives) and, for the public room, how many people are connected.
 */
export function createActivity(roomId: number, myId: number | null) {
  const [typists, setTypists] = createSignal<Typist[]>([]);
  const [connected, setConnected] = createSignal<number | null>(null);
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** When each typist's latest message was stored (the server's clock). */
  const messagedAt = new Map<number, number>();

  const expired = (userId: number) => {
    timers.delete(userId);
    setTypists((list) => list.filter((typist) => typist.id !== userId));
  };

  /** Their message arrived: they are not typing it any more. */
  const stopped = (userId: number, messageCreatedAt: string) => {
    messagedAt.set(userId, Date.parse(messageCreatedAt));
    clearTimeout(timers.get(userId));
    expired(userId);
  };

  /**
   * Typing signals are gathered for a moment before they go out, messages are not: the signal of a message typed
   * quickly can arrive after the message itself, and must not bring the name back for five seconds.
   */
  const typedBeforeTheirMessage = (userId: number, expiresAt: string) =>
    Date.parse(expiresAt) - typingTtlMs <= (messagedAt.get(userId) ?? Number.NEGATIVE_INFINITY);

  const subscription = trpc.chat.onActivity.subscribe(
    { roomId },
    {
      onData(event) {
        if (event.type === 'presence') {
          setConnected(event.connected);
          return;
        }
        const { id, displayName } = event.user;
        if (id === myId || typedBeforeTheirMessage(id, event.expiresAt)) return;
        clearTimeout(timers.get(id));
        timers.set(
          id,
          setTimeout(() => expired(id), typingLasts(event.expiresAt)),
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
