import { tracked } from '@trpc/server';
import { queryOne, sql } from '../../db/sql.ts';
import type { Deps } from '../../deps.ts';
import { listen } from '../../realtime/iterate.ts';
import { eventsBetween, type RoomEventView } from './messages.ts';

export const roomChannel = (roomId: number) => `room:${roomId}`;

export function isRoomEvent(message: unknown): message is RoomEventView {
  return (
    typeof message === 'object' && message !== null && typeof (message as RoomEventView).position === 'number'
  );
}

/** Published only after the event's transaction committed: what subscribers get is what is stored. */
export function publishRoomEvent(deps: Deps, roomId: number, event: RoomEventView): Promise<void> {
  return deps.bus.publish(roomChannel(roomId), event);
}

const backlogPage = 500;

/**
 * A room's durable events as tracked tRPC events. It subscribes to the live stream first, then reads what the
 * client missed from the database, then goes live: any live event at or before the last position sent is a
 * duplicate and is skipped, and a live event that jumps ahead (events published out of order by two instances)
 * first has the gap filled from the database. So the client sees every position once, in order.
 */
export async function* roomEventStream(
  deps: Deps,
  roomId: number,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
) {
  const live = listen(deps.bus, roomChannel(roomId), signal, isRoomEvent);
  await live.ready;
  const em = deps.orm.em.fork();
  const toEvent = (event: RoomEventView) =>
    tracked(String(event.position), { type: event.type, message: event.message });
  let cursor: number;
  if (lastEventId === null || lastEventId === undefined) {
    const room = await queryOne<{ position: string }>(
      em,
      sql`select position from rooms where id = ${roomId}`,
    );
    cursor = Number(room?.position ?? 0);
  } else {
    cursor = Number(lastEventId);
    for (;;) {
      const page = await eventsBetween(em, roomId, cursor, null, backlogPage);
      for (const event of page) {
        yield toEvent(event);
        cursor = event.position;
      }
      if (page.length < backlogPage) break;
    }
  }
  for await (const event of live) {
    if (event.position <= cursor) continue;
    if (event.position > cursor + 1) {
      for (const missed of await eventsBetween(
        em.fork(),
        roomId,
        cursor,
        event.position,
        event.position - cursor,
      )) {
        yield toEvent(missed);
        cursor = missed.position;
      }
    }
    yield toEvent(event);
    cursor = event.position;
  }
}
