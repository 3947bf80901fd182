import { tracked } from '@trpc/server';
import { gathered } from '../../db/gathered.ts';
import type { Orm } from '../../db/orm.ts';
import { streamStarts } from '../../db/statements/chat.ts';
import type { Deps } from '../../deps.ts';
import type { Logger } from '../../logger.ts';
import type { EventBus } from '../../realtime/bus.ts';
import type { CrowdSize } from '../../realtime/crowd.ts';
import { LiveStreams, type StreamSource } from '../../realtime/live-streams.ts';
import type { LiveTarget } from '../../realtime/live-target.ts';
import type { RecentLimits } from '../../realtime/recent-budget.ts';
import { eventsBetween, type RoomEventView, roomEventViewOf } from './messages.ts';

export const roomChannel = (roomId: number) => `room:${roomId}`;

export function isRoomEvent(message: unknown): message is RoomEventView {
  return (
    typeof message === 'object' && message !== null && typeof (message as RoomEventView).position === 'number'
  );
}

/** What `chat.onRoomEvent` yields for an event, tracked by its position. */
const eventData = (event: RoomEventView) => ({ type: event.type, message: event.message });

/**
 * An event as the stream yields it through tRPC. Made once here: a named closure made per stream would carry a
 * property table of its own for its kept name (tsx's `keepNames`) for as long as the subscription lives.
 */
const trackedEvent = (event: RoomEventView) => tracked(String(event.position), eventData(event));

/** Rooms as live streams: the room's channel, where it starts, and its stored events for gaps. */
function roomSource(orm: Orm): StreamSource<RoomEventView> {
  // Each stream's start, gathered with the others': after a restart every room starts at once.
  const startOf = gathered(orm.em, streamStarts, (wanted: { id: number; newest: number }) => wanted.id);
  return {
    channel: roomChannel,
    accept: isRoomEvent,
    start: async (roomId, newest) => {
      const start = await startOf({ id: roomId, newest });
      return { head: start?.position ?? 0, newest: (start?.events ?? []).map(roomEventViewOf) };
    },
    between: (roomId, after, before, limit) => eventsBetween(orm.em.fork(), roomId, after, before, limit),
    data: eventData,
  };
}

export type RoomStreams = LiveStreams<RoomEventView>;

export function createRoomStreams(
  orm: Orm,
  bus: EventBus,
  log: Logger,
  recentEvents: RecentLimits,
  crowd: CrowdSize,
): RoomStreams {
  return new LiveStreams(roomSource(orm), bus, log, recentEvents, crowd);
}

/** Published only after the event's transaction committed: what subscribers get is what is stored. */
export function publishRoomEvent(deps: Deps, roomId: number, event: RoomEventView): Promise<void> {
  return deps.bus.publish(roomChannel(roomId), event);
}

const backlogPage = 500;

/**
 * A room's durable events as tracked tRPC events. It joins the room's live stream first (which queues what
 * arrives), then sends what the client missed from the database through tRPC, then goes live: from there this
 * instance's one stream writes each event to the socket as a pre-built frame. Any event at or before the last
 * position sent is skipped, so the client sees every position once, in order.
 */
export async function* roomEventStream(
  deps: Deps,
  roomId: number,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
  target: LiveTarget,
) {
  const subscriber = await deps.roomStreams.join(roomId, target, signal);
  const resumeFrom = lastEventId === null || lastEventId === undefined ? null : Number(lastEventId);
  // Most readers resume from a recent position, which this instance's stream still holds (as the frames a socket
  // is written): no database read.
  const inMemory = resumeFrom !== null ? subscriber.stream.recentAfter(resumeFrom) : null;
  const fromDatabase = resumeFrom !== null && inMemory === null;
  let cursor = resumeFrom ?? subscriber.stream.head;
  if (fromDatabase) {
    const em = deps.orm.em.fork();
    for (;;) {
      const page = await eventsBetween(em, roomId, cursor, null, backlogPage);
      for (const event of page) {
        yield trackedEvent(event);
        cursor = event.position;
      }
      if (page.length < backlogPage) break;
    }
  }
  // tRPC has written every frame yielded above before this line runs: the queue takes over without a seam.
  // (Not live only if it already stopped.)
  if (subscriber.goLive(cursor, inMemory)) target.park();
}
