import {
  type Accessor,
  createContext,
  createEffect,
  createMemo,
  createResource,
  getOwner,
  on,
  onCleanup,
  runWithOwner,
  useContext,
} from 'solid-js';
import type { Friends } from '../friends.ts';
import type { LiveEvent, Notifications } from '../notifications.ts';
import { trpc } from '../trpc.ts';
import { createOutbox, type Outbox } from './outbox.ts';
import type { Message, Room } from './types.ts';

export interface ChatSession {
  userId: number;
  /** The signed-in person's rooms, newest activity first; `undefined` while loading or after an error. */
  rooms(): Room[] | undefined;
  roomsStatus(): 'loading' | 'ready' | 'error';
  room(roomId: number): Room | undefined;
  publicRoom(): Room | undefined;
  /** Whether a friend is online, as far as this tab has heard. */
  isOnline(userId: number): boolean;
  /** Fetches the room list again now; resolves once it is in. */
  reloadRooms(): Promise<void>;
  /** Marks a room read up to `seq`, once per position. */
  markRead(roomId: number, seq: number): void;
  outbox(roomId: number): Outbox;
  /** A room's unsent composer text, kept while its reader looks elsewhere. */
  drafts: Map<number, string>;
}

/** Coalesces bursts of changes (a busy room, several tabs) into one refetch of the room list. */
const refetchDelayMs = 400;

/**
 * Everything chat needs for one signed-in person, for as long as they stay signed in: their room list kept live
 * (previews, unread badges) and one outbox per room. Friends' presence comes from the friends list, which the
 * same inbox stream keeps current. Call inside a reactive owner; it is torn down with that owner.
 */
export function createChatSession(
  userId: number,
  notifications: Notifications,
  friends: Friends,
): ChatSession {
  const owner = getOwner();
  const [list, { refetch, mutate }] = createResource(() => trpc.chat.rooms.query());
  const rooms = () => (list.state === 'errored' ? undefined : list());
  const readRequested = new Map<number, number>();
  const outboxes = new Map<number, Outbox>();

  let refetchTimer: ReturnType<typeof setTimeout> | undefined;
  const reloadSoon = (delay = refetchDelayMs) => {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(() => void refetch(), delay);
  };
  onCleanup(() => clearTimeout(refetchTimer));

  const patchRoom = (roomId: number, change: (room: Room) => Room) =>
    mutate((current) => current?.map((room) => (room.id === roomId ? change(room) : room)));

  /** A new message in a room: its preview changes, and unless it is mine, one more unread. */
  const messageArrived = (message: Message) =>
    patchRoom(message.roomId, (room) => {
      if (room.lastMessage && room.lastMessage.seq >= message.seq) return room;
      const mine = message.sender.id === userId;
      return {
        ...room,
        lastMessage: message,
        // Sending marks the room read up to your own message.
        unread: mine ? 0 : room.unread + (message.seq > room.readSeq ? 1 : 0),
        readSeq: mine ? Math.max(room.readSeq, message.seq) : room.readSeq,
      };
    });

  // The tab's one inbox stream (the notification bell's too) says when the list is out of date.
  notifications.listen((event: LiveEvent) => {
    switch (event.type) {
      case 'room.changed':
        reloadSoon();
        break;
      case 'room.read':
        patchRoom(event.roomId, (room) => ({ ...room, unread: event.unread, readSeq: event.readSeq }));
        break;
      // A new friend brings their room back, an unfriend takes it away; after a lost connection, anything.
      case 'friends.changed':
      case 'reconnected':
        reloadSoon(0);
        break;
    }
  });

  // The public room sends no room.changed (everyone would get one per message): follow its stream instead.
  const publicRoomId = createMemo(() => rooms()?.find((room) => room.kind === 'public')?.id);
  createEffect(
    on(publicRoomId, (roomId) => {
      if (roomId === undefined) return;
      const stream = trpc.chat.onRoomEvent.subscribe(
        { roomId },
        {
          onData({ data }) {
            if (data.type === 'message.created') messageArrived(data.message);
            else reloadSoon(); // an edit or deletion may change the preview or the unread count
          },
          onError: (error) => console.error('The public room stream stopped', error),
        },
      );
      onCleanup(() => stream.unsubscribe());
    }),
  );

  const room = (roomId: number) => rooms()?.find((candidate) => candidate.id === roomId);

  return {
    userId,
    rooms,
    roomsStatus: () => (list.state === 'errored' ? 'error' : list.state === 'ready' ? 'ready' : 'loading'),
    room,
    publicRoom: () => rooms()?.find((candidate) => candidate.kind === 'public'),
    isOnline: (id) => friends.list()?.find((friend) => friend.id === id)?.online ?? false,
    async reloadRooms() {
      clearTimeout(refetchTimer);
      await refetch();
    },
    markRead(roomId, seq) {
      const known = Math.max(room(roomId)?.readSeq ?? 0, readRequested.get(roomId) ?? 0);
      if (seq <= known) return;
      readRequested.set(roomId, seq);
      trpc.chat.markRead
        .mutate({ roomId, seq })
        .then((read) => patchRoom(roomId, (r) => ({ ...r, unread: read.unread, readSeq: read.readSeq })))
        .catch((error: unknown) => {
          readRequested.delete(roomId);
          console.warn('Could not mark the room read', error);
        });
    },
    outbox(roomId) {
      let outbox = outboxes.get(roomId);
      if (!outbox) {
        outbox = runWithOwner(owner, () => createOutbox(roomId))!;
        outbox.onStored((message) => {
          messageArrived(message);
          if (room(roomId)?.kind === 'private') reloadSoon();
        });
        outboxes.set(roomId, outbox);
      }
      return outbox;
    },
    drafts: new Map(),
  };
}

export const ChatContext = createContext<Accessor<ChatSession | null>>(() => null);

/** The signed-in person's chat session, or `null` for a signed-out visitor. */
export function useChat(): Accessor<ChatSession | null> {
  return useContext(ChatContext);
}
