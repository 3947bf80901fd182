import { typingTtlMs } from '../../../shared/chat.ts';
import type { Room } from '../../db/entities/index.ts';
import type { Deps } from '../../deps.ts';
import { onAbort } from '../../realtime/abort.ts';
import { ephemeralGatherMs, LiveGroups } from '../../realtime/live-groups.ts';
import type { LiveTarget } from '../../realtime/live-target.ts';
import { presenceChangeChannel } from '../../realtime/presence.ts';
import type { Actor } from '../users.ts';

export type ActivityEvent =
  | {
      type: 'typing';
      roomId: number;
      user: { id: number; username: string; displayName: string };
      expiresAt: string;
    }
  | { type: 'presence'; roomId: number; connected: number };

/** What following a room's activity needs of it. */
type FollowedRoom = Pick<Room, 'id' | 'kind'>;

const activityChannel = (roomId: number) => `room-activity:${roomId}`;

function isTyping(message: unknown): message is Extract<ActivityEvent, { type: 'typing' }> {
  return typeof message === 'object' && message !== null && (message as ActivityEvent).type === 'typing';
}

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

/** The fewest milliseconds between two presence counts sent: a wave of people arriving is one update a second. */
const presenceIntervalMs = 1_000;

/**
 * This instance's followers of room activity. Typing goes out as one pre-built frame per signal to every local
 * follower of the room; the public room's "how many are here" is counted once per instance when presence
 * changes (at most once a second), not once per follower.
 */
export class ActivityHub {
  private readonly groups: LiveGroups;
  private presence: { unsubscribe: () => void; followers: number; roomId: number } | null = null;
  private lastCount = -1;
  private counting = false;
  private countAgain = false;
  private countTimer: ReturnType<typeof setTimeout> | null = null;
  private lastCountAt = 0;

  constructor(private readonly deps: Pick<Deps, 'bus' | 'presence' | 'log'>) {
    this.groups = new LiveGroups(deps.bus, { gatherMs: ephemeralGatherMs });
  }

  follow(room: FollowedRoom, target: LiveTarget, signal: AbortSignal | undefined): void {
    this.groups.join(activityChannel(room.id), target, signal, isTyping).goLive();
    if (room.kind === 'public') this.watchPresence(room.id, signal);
  }

  private watchPresence(roomId: number, signal: AbortSignal | undefined): void {
    if (!this.presence) {
      const unsubscribe = this.deps.bus.subscribe(presenceChangeChannel, () => this.scheduleCount());
      this.presence = { unsubscribe, followers: 0, roomId };
    }
    const watch = this.presence;
    watch.followers++;
    // The newcomer's first count was read a moment ago and may already be behind: the next count goes to all.
    this.lastCount = -1;
    this.scheduleCount();
    onAbort(signal, () => {
      if (--watch.followers > 0 || this.presence !== watch) return;
      watch.unsubscribe();
      this.presence = null;
      this.lastCount = -1;
    });
  }

  private scheduleCount(): void {
    if (this.countTimer) return;
    const wait = Math.max(0, this.lastCountAt + presenceIntervalMs - Date.now());
    this.countTimer = setTimeout(() => {
      this.countTimer = null;
      void this.count();
    }, wait);
  }

  private async count(): Promise<void> {
    if (this.counting) {
      this.countAgain = true;
      return;
    }
    this.counting = true;
    try {
      do {
        this.countAgain = false;
        this.lastCountAt = Date.now();
        const connected = await this.deps.presence.count();
        const watch = this.presence;
        if (!watch || connected === this.lastCount) continue;
        this.lastCount = connected;
        const event: ActivityEvent = { type: 'presence', roomId: watch.roomId, connected };
        this.groups.send(activityChannel(watch.roomId), event);
      } while (this.countAgain);
    } catch (cause) {
      this.deps.log.warn('Could not count who is here', { cause });
    } finally {
      this.counting = false;
    }
  }
}

/**
 * Typing in the room and, for the public room, how many distinct signed-in people are connected (sent first,
 * through tRPC, then again whenever it changes). The rest is written by the instance's hub; the type says all
 * the stream's events, those included.
 */
export async function* activityStream(
  deps: Deps,
  room: FollowedRoom,
  signal: AbortSignal | undefined,
  target: LiveTarget,
): AsyncGenerator<ActivityEvent> {
  if (room.kind === 'public') {
    yield {
      type: 'presence',
      roomId: room.id,
      connected: await deps.presence.count(),
    } satisfies ActivityEvent;
  }
  deps.activity.follow(room, target, signal);
  target.park();
}
