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
import type { Auth } from '../auth.ts';
import type { Friends } from '../friends.ts';
import type { LiveEvent, Notifications } from '../notifications.ts';
import { trpc } from '../trpc.ts';
import { createMuteStatus, type Mute } from './mute.ts';
import { createOutbox, type Outbox } from './outbox.ts';
import { type RoomFeedEvent, roomFeed } from './room-feed.ts';
import { applyRoomChange, type RoomChange } from './room-list.ts';
import { type Drafts, roomsWithSavedOutbox, savedDrafts, savedOutbox } from './saved.ts';
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
  /** Mutes a room (or unmutes it) on every device of this person: it still counts unread, never notifies. */
  setMuted(roomId: number, muted: boolean): Promise<void>;
  /** The signed-in person's mute while one is in force: until when (ISO) and why; `null` otherwise. */
  mute(): Mute | null;
  /** A room's unsent composer text, kept while its reader looks elsewhere and across reloads. */
  drafts: Drafts;
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
  auth: Pick<Auth, 'onChanged'>,
  notifications: Notifications,
  friends: Friends,
): ChatSession {
  const owner = getOwner();
  /** Changes heard while a fetch of the list is on its way: they apply to what it brings, too. */
  const heardDuringFetch = new Set<RoomChange[]>();
  const [list, { refetch, mutate }] = createResource(async () => {
    const heard: RoomChange[] = [];
    heardDuringFetch.add(heard);
    try {
      const fresh = await trpc.chat.rooms.query();
      return heard.reduce((rooms, change) => applyRoomChange(rooms, change, userId).rooms, fresh);
    } finally {
      heardDuringFetch.delete(heard);
    }
  });
  const rooms = () => (list.state === 'errored' ? undefined : list());
  const outboxes = new Map<number, Outbox>();
  const muteStatus = createMuteStatus();
  // A moderator muted or unmuted this person: the composer gives way, or comes back, in every tab at once.
  auth.onChanged(muteStatus.recheck);

  let refetchTimer: ReturnType<typeof setTimeout> | undefined;
  const reloadSoon = (delay = refetchDelayMs) => {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(() => void refetch(), delay);
  };
  onCleanup(() => clearTimeout(refetchTimer));

  /** A room's line changes at once; what only the server can say comes with a fetch, spread out over a moment. */
  const change = (roomChange: RoomChange) => {
    for (const heard of heardDuringFetch) heard.push(roomChange);
    let refetchNeeded = false;
    mutate((current) => {
      if (!current) return current;
      const next = applyRoomChange(current, roomChange, userId);
      refetchNeeded = next.refetch;
      return next.rooms;
    });
    if (refetchNeeded) reloadSoon(refetchDelayMs + Math.random() * 2_000);
  };
  const roomEvent = (event: Pick<RoomFeedEvent, 'type' | 'message'>) => change({ kind: 'event', ...event });
  const messageArrived = (message: Message) => roomEvent({ type: 'message.created', message });
  const readAt = (read: { roomId: number; unread: number; readSeq: number; mentions?: number }) =>
    change({ kind: 'read', ...read });
  const patchRoom = (roomId: number, update: (room: Room) => Room) =>
    mutate((current) => current?.map((room) => (room.id === roomId ? update(room) : room)));

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
        if (!event.event) reloadSoon();
        else {
          const { type, message } = event.event;
          const read =
            event.unread === undefined || event.readSeq === undefined
              ? undefined
              : { unread: event.unread, readSeq: event.readSeq };
          change({ kind: 'event', type, message, read });
        }
        break;
      case 'room.read':
        readAt(event);
        break;
      case 'room.muted':
        patchRoom(event.roomId, (r) => ({ ...r, muted: event.muted }));
        break;
      // A new friend brings their room back, an unfriend takes it away.
      case 'friends.changed':
        reloadSoon(0);
        break;
      // After a lost connection, anything: a mute begun or lifted meanwhile too.
      case 'reconnected':
        reloadSoon(0);
        muteStatus.recheck();
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

  function outbox(roomId: number): Outbox {
    let existing = outboxes.get(roomId);
    if (!existing) {
      const options = { onForbidden: muteStatus.recheck, saved: savedOutbox(userId, roomId) };
      existing = runWithOwner(owner, () => createOutbox(roomId, options))!;
      existing.onStored((message) => {
        messageArrived(message);
        if (room(roomId)?.kind === 'private') reloadSoon();
      });
      outboxes.set(roomId, existing);
    }
    return existing;
  }
  // Messages still waiting when the page was last closed go now, whichever room is opened first.
  for (const roomId of roomsWithSavedOutbox(userId)) outbox(roomId);

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
        return { ...r, readSeq: seq, unread: readAll ? 0 : r.unread, mentions: readAll ? 0 : r.mentions };
      });
      reads.seen(roomId, seq);
    },
    flushRead: (roomId) => reads.flush(roomId),
    outbox,
    async setMuted(roomId, muted) {
      await trpc.chat.setRoomMuted.mutate({ roomId, muted });
      patchRoom(roomId, (r) => ({ ...r, muted }));
    },
    mute: muteStatus.mute,
    drafts: savedDrafts(userId),
  };
}

export const ChatContext = createContext<Accessor<ChatSession | null>>(() => null);

/** The signed-in person's chat session, or `null` for a signed-out visitor. */
export function useChat(): Accessor<ChatSession | null> {
  return useContext(ChatContext);
}
