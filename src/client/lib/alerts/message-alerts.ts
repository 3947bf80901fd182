import {
  type Accessor,
  createContext,
  createEffect,
  createMemo,
  createSignal,
  on,
  onCleanup,
  useContext,
} from 'solid-js';
import { messageAlert } from '../../../shared/alert-policy.ts';
import { messagePreview } from '../chat/preview.ts';
import { roomFeed } from '../chat/room-feed.ts';
import type { ChatSession } from '../chat/session.ts';
import type { Message, Room } from '../chat/types.ts';
import type { Notifications } from '../notifications.ts';
import { createAttention } from './attention.ts';
import { createChime } from './chime.ts';
import { type AlertSettings, createAlertSettings } from './settings.ts';

export interface MessageAlerts {
  settings: AlertSettings;
  /** A direct message arrived while desktop notifications are off and were never offered: offer them. */
  offerNotifications: Accessor<boolean>;
  /** Plays the chime now (so the person hears what they turn on). */
  playSound(): void;
}

interface AlertSources {
  session: ChatSession;
  notifications: Notifications;
  /** The conversation this tab shows, if any. */
  openRoomId: Accessor<number | null>;
  /** Shows a conversation (clicking its notification). */
  open(room: Pick<Room, 'id' | 'kind'>): void;
}

const previewLength = 160;

/**
 * Desktop notifications and the chime for new messages, fed by what the tab hears already — the inbox stream's
 * `room.changed` for direct messages, the public room's feed — so it costs no request and no polling. Whether a
 * message alerts is `messageAlert`'s call. Call inside a reactive owner (one per signed-in person).
 */
export function createMessageAlerts(sources: AlertSources): MessageAlerts {
  const { session, notifications } = sources;
  const settings = createAlertSettings(session.userId);
  const chime = createChime();
  const attention = createAttention(session.userId, sources.openRoomId);
  const [offer, setOffer] = createSignal(false);

  function arrived(message: Message) {
    const room = session.room(message.roomId);
    // Only direct messages come as room.changed: one not listed yet is a conversation opened a moment ago.
    const roomKind = room?.kind ?? 'private';
    const fromMe = message.sender.id === session.userId;
    const mentionsMe = message.mentions.some((person) => person.id === session.userId);
    const looking = attention();
    const alert = messageAlert({
      created: true,
      fromMe,
      roomKind,
      mentionsMe,
      roomMuted: room?.muted ?? false,
      roomOpen: looking.roomId === message.roomId,
      tabFocused: looking.inFront,
      settings: { desktop: settings.desktop(), sound: settings.sound() },
    });
    if (alert.sound && firstTabFor(message.id)) chime();
    if (alert.desktop) {
      notify(message, room, mentionsMe, () => sources.open({ id: message.roomId, kind: roomKind }));
    }
    if (roomKind === 'private' && !fromMe && !room?.muted && settings.permission() === 'default') {
      setOffer(true);
    }
  }

  notifications.listen((event) => {
    if (event.type === 'room.changed' && event.event?.type === 'message.created')
      arrived(event.event.message);
  });
  // Memoised: the effect must follow the room's id, not every change to the room list. Re-listening on each change
  // (a message arriving changes the list) would start after the very message that changed it, and miss it.
  const publicRoomId = createMemo(() => session.publicRoom()?.id);
  createEffect(
    on(publicRoomId, (roomId) => {
      if (roomId === undefined) return;
      const feed = roomFeed(roomId).listen(null, {
        onEvent: (event) => event.type === 'message.created' && arrived(event.message),
      });
      onCleanup(feed);
    }),
  );

  return {
    settings,
    playSound: chime,
    offerNotifications: () =>
      offer() && !settings.hintDismissed() && settings.permission() === 'default' && !settings.desktop(),
  };
}

/** Shows one message on the desktop; a click brings this tab forward on its conversation. */
function notify(message: Message, room: Room | undefined, mentionsMe: boolean, open: () => void): void {
  const from = mentionsMe ? `${message.sender.displayName} mentioned you` : message.sender.displayName;
  const title = room && room.kind === 'public' ? `${from} in ${room.name}` : from;
  try {
    const notification = new Notification(title, {
      body: messagePreview(message, previewLength),
      // Every open tab hears the message: one tag makes the desktop show it once.
      tag: `parley-message-${message.id}`,
      icon: message.sender.avatarUrl ?? undefined,
    });
    notification.onclick = () => {
      window.focus();
      open();
      notification.close();
    };
  } catch (error) {
    // Some mobile browsers only notify through a service worker: the tab title still counts the message.
    console.warn('Could not show a notification', error);
  }
}

const soundedKey = 'parley-alerts:last-sound';

/** One chime per message however many tabs are open: the first tab to hear it takes it. */
function firstTabFor(messageId: string): boolean {
  try {
    if (localStorage.getItem(soundedKey) === messageId) return false;
    localStorage.setItem(soundedKey, messageId);
  } catch {
    // No storage: each tab chimes on its own.
  }
  return true;
}

export const AlertsContext = createContext<Accessor<MessageAlerts | null>>(() => null);

export function useAlerts(): Accessor<MessageAlerts | null> {
  return useContext(AlertsContext);
}
