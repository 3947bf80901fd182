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
import { ReadMarker } from '../../../shared/read-policy.ts';
import type { Friends } from '../friends.ts';
import type { LiveEvent, Notifications } from '../notifications.ts';
import { trpc } from '../trpc.ts';
import { createOutbox, type Outbox } from './outbox.ts';
import { type RoomFeedEvent, roomFeed } from './room-feed.ts';
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
  /** Marks a room read up to `seq`: the badge clears at once, the server hears by the shared read policy. */
  markRead(roomId: number, seq: number): void;
  /** Sends a room's pending read position now (blur, leaving the room, hiding the page). */
  flushRead(roomId: number): void;
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

  /** An edit or deletion: the preview and the unread count follow without asking the server. */
  const messageChanged = ({ type, message }: Pick<RoomFeedEvent, 'type' | 'message'>) => {
    let previewGone = false;
    patchRoom(message.roomId, (room) => {
      const isPreview = room.lastMessage?.id === message.id;
      if (type === 'message.edited') return isPreview ? { ...room, lastMessage: message } : room;
      previewGone = isPreview;
      const wasUnread = message.sender.id !== userId && message.seq > room.readSeq;
      return wasUnread ? { ...room, unread: Math.max(0, room.unread - 1) } : room;
    });
    // Which message is now the newest is the server's to say; spread out so a busy room's tabs do not ask at once.
    if (previewGone) reloadSoon(refetchDelayMs + Math.random() * 2_000);
  };
  const roomEvent = (event: Pick<RoomFeedEvent, 'type' | 'message'>) =>
    event.type === 'message.created' ? messageArrived(event.message) : messageChanged(event);

  /** A read position from the server: taken unless this tab has already read further. */
  const readAt = (read: { roomId: number; unread: number; readSeq: number }) =>
    patchRoom(read.roomId, (room) =>
      read.readSeq < room.readSeq ? room : { ...room, unread: read.unread, readSeq: read.readSeq },
    );

  const reads = new ReadMarker((roomId, seq) => {
    trpc.chat.markRead
      .mutate({ roomId, seq })
      .then(readAt)
      .catch((error: unknown) => {
        reads.forget(roomId, seq);
        console.warn('Could not mark the room read', error);
      });
  });
  onCleanup(() => reads.dispose());

  // The tab's one inbox stream (the notification bell's too) says what changed.
  notifications.listen((event: LiveEvent) => {
    switch (event.type) {
      case 'room.changed':
        if (event.event) roomEvent(event.event);
        else reloadSoon();
        break;
      case 'room.read':
        readAt(event);
        break;
      // A new friend brings their room back, an unfriend takes it away; after a lost connection, anything.
      case 'friends.changed':
      case 'reconnected':
        reloadSoon(0);
        break;
    }
  });

  // The public room sends no room.changed (everyone would get one per message): follow its feed instead, the
  // same one the home page's conversation follows.
  const publicRoomId = createMemo(() => rooms()?.find((room) => room.kind === 'public')?.id);
  createEffect(
    on(publicRoomId, (roomId) => {
      if (roomId === undefined) return;
      onCleanup(roomFeed(roomId).listen(null, { onEvent: roomEvent }));
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
      patchRoom(roomId, (r) => {
        if (seq <= r.readSeq) return r;
        // Read up to the newest message this tab knows of: nothing is left unread.
        const readAll = seq >= (r.lastMessage?.seq ?? 0);
        return { ...r, readSeq: seq, unread: readAll ? 0 : r.unread };
      });
      reads.seen(roomId, seq);
    },
    flushRead: (roomId) => reads.flush(roomId),
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
