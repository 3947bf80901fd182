import {
  batch,
  createContext,
  createEffect,
  createSignal,
  getOwner,
  on,
  onCleanup,
  useContext,
} from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { Auth } from './auth.ts';
import { describeError } from './errors.ts';
import { connection, type RouterOutputs, trpc } from './trpc.ts';

/** What `notifications.onEvent` streams: notifications, reads, and changes to friends, rooms and presence. */
export type UserEvent =
  RouterOutputs['notifications']['onEvent'] extends AsyncIterable<infer Event> ? Event : never;
/** A server event, or `reconnected`: the socket came back, and anything may have changed while it was away. */
export type LiveEvent = UserEvent | { type: 'reconnected' };
export type Notification = RouterOutputs['notifications']['list']['items'][number];

type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface Notifications {
  unread(): number;
  /** The loaded notifications, newest first; kept current by the live stream once loaded. */
  readonly items: readonly Notification[];
  status(): ListStatus;
  error(): string | null;
  hasMore(): boolean;
  /** Loads the first page unless it is loaded already. */
  load(): void;
  loadMore(): Promise<void>;
  markAllRead(): Promise<void>;
  /** Marks these notifications read (the first 200 of them; those read already stay as they are). */
  markRead(ids: readonly string[]): Promise<void>;
  /** Marks a friend request as answered here, before the server's refresh says so too. */
  settle(id: string): void;
  /** Calls `handler` with every live event for as long as the calling component lives. */
  listen(handler: (event: LiveEvent) => void): () => void;
}

const pageSize = 20;
/** The most ids the server takes in one `markRead`; any more are marked on a later call. */
const markReadLimit = 200;
const resyncSpreadMs = 3_000;

/**
 * The signed-in user's live channel, `notifications.onEvent`: one subscription per tab, opened again when the user
 * changes. It keeps the bell's count and list current and passes every event on to whoever listens.
 */
export function createNotifications(auth: Auth): Notifications {
  const [unread, setUnread] = createSignal(0);
  const [list, setList] = createStore({
    items: [] as Notification[],
    nextCursor: null as string | null,
    status: 'idle' as ListStatus,
    error: null as string | null,
  });
  const listeners = new Set<(event: LiveEvent) => void>();
  // Bumped when the user changes, so an answer for the previous user is dropped.
  let generation = 0;

  const emit = (event: LiveEvent) => {
    for (const listener of listeners) listener(event);
  };

  async function fetchPage(cursor: string | null) {
    const asked = generation;
    if (list.status !== 'ready') setList({ status: 'loading', error: null });
    try {
      const page = await trpc.notifications.list.query({ cursor, limit: pageSize });
      if (asked !== generation) return;
      if (cursor) {
        setList({ items: [...list.items, ...page.items], nextCursor: page.nextCursor });
        return;
      }
      // A fresh first page replaces what it covers and keeps older pages already loaded.
      const oldest = page.items.at(-1)?.id;
      const older = page.nextCursor && oldest ? list.items.filter((n) => Number(n.id) < Number(oldest)) : [];
      batch(() => {
        setList('items', reconcile([...page.items, ...older], { key: 'id' }));
        setList({ nextCursor: older.length ? list.nextCursor : page.nextCursor, status: 'ready' });
      });
    } catch (error) {
      if (asked !== generation) return;
      const message = describeError(error).message ?? 'Could not load notifications.';
      if (list.status === 'ready') throw error;
      setList({ status: 'error', error: message });
    }
  }
  /** Marks `ids` read, or every notification for `null`; the count comes back in the answer (and to other tabs). */
  async function markRead(ids: readonly string[] | null) {
    const { unreadCount } = await trpc.notifications.markRead.mutate(ids ? { ids: [...ids] } : { all: true });
    const now = new Date().toISOString();
    batch(() => {
      setUnread(unreadCount);
      setList('items', (n) => n.readAt === null && (ids === null || ids.includes(n.id)), 'readAt', now);
    });
  }
  const refresh = () => {
    if (list.status === 'ready') fetchPage(null).catch((error) => console.error(error));
  };

  /**
   * The server may have missed events for us: act as after a reconnect. Spread over a few seconds, since every tab
   * on that instance hears it at the same moment.
   */
  function resync() {
    const asked = generation;
    setTimeout(() => {
      if (asked !== generation) return;
      trpc.notifications.unreadCount
        .query()
        .then(({ count }) => asked === generation && setUnread(count))
        .catch((error: unknown) => console.warn('Could not refresh the unread count', error));
      refresh();
      emit({ type: 'reconnected' });
    }, Math.random() * resyncSpreadMs);
  }

  function handle(event: UserEvent) {
    if (event.type === 'resync') return resync();
    if (event.type === 'notification') {
      setUnread(event.unreadCount);
      if (list.status === 'ready' && !list.items.some((n) => n.id === event.notification.id)) {
        setList('items', (items) => [event.notification, ...items]);
      }
    } else if (event.type === 'notifications.read') {
      // Also the first event of every (re)connected stream, so a list that may have missed events refreshes.
      setUnread(event.unreadCount);
      refresh();
    } else if (event.type === 'friends.changed') {
      // A request answered or cancelled anywhere changes whether its notification still offers Accept.
      refresh();
    }
    emit(event);
  }

  createEffect(
    on(
      () => auth.user()?.id,
      (id) => {
        generation += 1;
        batch(() => {
          setUnread(0);
          setList({ items: [], nextCursor: null, status: 'idle', error: null });
        });
        if (id === undefined) return;
        const subscription = trpc.notifications.onEvent.subscribe(undefined, {
          onData: handle,
          // An ended session is the session channel's business (it signs the tab out); anything else is a bug.
          onError: (error) => console.error('The notifications stream failed', error),
        });
        onCleanup(() => subscription.unsubscribe());
      },
    ),
  );

  // After a lost connection, tell listeners to refetch what the stream would have told them meanwhile.
  createEffect(
    on(connection, (now, before) => {
      if (before === 'reconnecting' && now === 'connected') emit({ type: 'reconnected' });
    }),
  );

  return {
    unread,
    get items() {
      return list.items;
    },
    status: () => list.status,
    error: () => list.error,
    hasMore: () => list.nextCursor !== null,
    load() {
      if (list.status === 'idle' || list.status === 'error') void fetchPage(null);
    },
    loadMore: () => (list.nextCursor ? fetchPage(list.nextCursor) : Promise.resolve()),
    markAllRead: () => markRead(null),
    markRead: (ids) => (ids.length > 0 ? markRead(ids.slice(0, markReadLimit)) : Promise.resolve()),
    settle(id) {
      setList('items', (n) => n.id === id, 'requestPending', false);
    },
    listen(handler) {
      listeners.add(handler);
      const stop = () => listeners.delete(handler);
      if (getOwner()) onCleanup(stop);
      return stop;
    },
  };
}

export const NotificationsContext = createContext<Notifications>();

export function useNotifications(): Notifications {
  const notifications = useContext(NotificationsContext);
  if (!notifications) throw new Error('useNotifications must be used inside <LiveProvider>.');
  return notifications;
}
