import type { Deps } from '../../deps.ts';
import { listen, merge } from '../../realtime/iterate.ts';
import { presenceChangeChannel } from '../../realtime/presence.ts';
import type { Actor } from '../users.ts';
import type { RoomRow } from './rooms.ts';

/** How long a "typing" signal lasts unless renewed; clients send one every few seconds while typing. */
export const typingTtlMs = 5_000;

export type ActivityEvent =
  | {
      type: 'typing';
      roomId: number;
      user: { id: number; username: string; displayName: string };
      expiresAt: string;
    }
  | { type: 'presence'; roomId: number; connected: number };

const activityChannel = (roomId: number) => `room-activity:${roomId}`;

function isTyping(message: unknown): message is Extract<ActivityEvent, { type: 'typing' }> {
  return typeof message === 'object' && message !== null && (message as ActivityEvent).type === 'typing';
}

const isPresenceChange = (message: unknown): message is unknown => typeof message === 'object';

export function announceTyping(deps: Deps, roomId: number, user: Actor): Promise<void> {
  const { id, username, displayName } = user;
  const event: ActivityEvent = {
    type: 'typing',
    roomId,
    user: { id, username, displayName },
    expiresAt: new Date(Date.now() + typingTtlMs).toISOString(),
  };
  return deps.bus.publish(activityChannel(roomId), event);
}

/**
 * Typing in the room and, for the public room, how many distinct signed-in people are connected (sent first,
 * then again whenever it changes).
 */
export async function* activityStream(deps: Deps, room: RoomRow, signal: AbortSignal | undefined) {
  const typing = listen(deps.bus, activityChannel(room.id), signal, isTyping);
  if (room.kind !== 'public') {
    yield* typing;
    return;
  }
  const changes = listen(deps.bus, presenceChangeChannel, signal, isPresenceChange);
  let last = await deps.presence.count();
  yield { type: 'presence', roomId: room.id, connected: last } satisfies ActivityEvent;
  for await (const event of merge<unknown>(typing, changes)) {
    if (isTyping(event)) {
      yield event;
      continue;
    }
    const connected = await deps.presence.count();
    if (connected === last) continue;
    last = connected;
    yield { type: 'presence', roomId: room.id, connected } satisfies ActivityEvent;
  }
}
