import { onAbort } from './abort.ts';
import type { EventBus } from './bus.ts';
import { EventFrames, type LiveTarget } from './live-target.ts';
import { untrackedFrameTail } from './ws-protocol.ts';

/**
 * How long an ephemeral message waits for others to go out with it: a typing signal shown 0.2 s later changes
 * nothing for anyone, and each follower is written what came in that moment in one go (one system call, not one
 * per message) — in a busy room of a thousand readers, typing costs as many writes as the messages themselves.
 */
export const ephemeralGatherMs = 200;

/**
 * Followers written to in one turn of the event loop (~1–2 ms of socket writes). A typing signal in a room of a
 * thousand readers is ten turns, and a room's message, which people wait for, goes out between two of them
 * instead of behind all of it.
 */
const followersPerTurn = 100;

interface Spreading {
  frames: EventFrames[];
  followers: Set<LiveTarget>;
  /** The followers when the messages went out: who joins later did not follow them then. */
  targets: LiveTarget[];
  next: number;
}

/**
 * Writes ephemeral frames a slice of followers at a time, one slice per turn of the event loop, in the order the
 * messages came (so each follower gets them in order). A follower who left meanwhile is skipped.
 */
class SpreadWrites {
  private readonly queue: Spreading[] = [];
  private scheduled = false;

  write(followers: Set<LiveTarget>, frames: EventFrames[]): void {
    if (followers.size === 0) return;
    this.queue.push({ frames, followers, targets: [...followers], next: 0 });
    if (!this.scheduled) this.schedule();
  }

  private schedule(): void {
    this.scheduled = true;
    // An immediate runs after the I/O the loop has waiting, so what arrived meanwhile goes first.
    setImmediate(() => this.writeSlice());
  }

  private writeSlice(): void {
    let budget = followersPerTurn;
    while (budget > 0 && this.queue.length) {
      const job = this.queue[0]!;
      for (; budget > 0 && job.next < job.targets.length; budget--) {
        const target = job.targets[job.next++]!;
        if (job.followers.has(target)) target.socket.sendTexts(job.frames.map((f) => f.frameFor(target)));
      }
      if (job.next === job.targets.length) this.queue.shift();
    }
    this.scheduled = false;
    if (this.queue.length) this.schedule();
  }
}

interface Group {
  targets: Set<LiveTarget>;
  /** Followers still being sent their first frames through tRPC: what arrives meanwhile waits for them. */
  joining: Map<LiveTarget, Buffer[]>;
  unsubscribe: () => void;
  /** Messages waiting for the gathering moment to end. */
  gathered: EventFrames[];
  timer: ReturnType<typeof setTimeout> | null;
}

export interface LiveGroupsOptions {
  /** How long a message waits for others to go out with it (ephemeral signals); null: it goes out at once. */
  gatherMs: number | null;
  /** Written to every follower when this instance may have missed messages (see `EventBus.onRecover`). */
  resync?: unknown;
}

/** A follower of a channel: written to from `goLive` on. */
export interface GroupMember {
  /** Writes what arrived since joining, then everything as it comes. Call once the stream's own first frames left. */
  goLive(): void;
}

/**
 * Local followers of bus channels without positions (typing, presence counts, a person's notifications): nothing
 * to resume, so each message is serialised once per instance (and, for ephemeral channels, gathered for a moment
 * with the others of that moment) and written to every follower as untracked frames, spread over turns of the
 * event loop. One bus listener per channel, however many follow it here.
 */
export class LiveGroups {
  private readonly groups = new Map<string, Group>();
  private readonly writes = new SpreadWrites();

  constructor(
    private readonly bus: EventBus,
    private readonly options: LiveGroupsOptions,
  ) {
    const { resync } = options;
    if (resync !== undefined) bus.onRecover(() => this.sendToAll(resync));
  }

  /**
   * Follows `channel` until `signal` aborts; what `accept` takes from the bus is written to the socket once the
   * member goes live, and queues until then.
   */
  join(
    channel: string,
    target: LiveTarget,
    signal: AbortSignal | undefined,
    accept: (message: unknown) => boolean,
  ): GroupMember {
    let group = this.groups.get(channel);
    if (!group) {
      const made: Group = {
        targets: new Set(),
        joining: new Map(),
        unsubscribe: () => {},
        gathered: [],
        timer: null,
      };
      made.unsubscribe = this.bus.subscribe(channel, (message) => {
        if (accept(message)) this.gather(made, message);
      });
      group = made;
      this.groups.set(channel, group);
    }
    const joined = group;
    joined.joining.set(target, []);
    onAbort(signal, () => {
      joined.targets.delete(target);
      joined.joining.delete(target);
      if (joined.targets.size || joined.joining.size || this.groups.get(channel) !== joined) return;
      joined.unsubscribe();
      if (joined.timer) clearTimeout(joined.timer);
      this.groups.delete(channel);
    });
    return new Joining(joined, target);
  }

  /** Writes `data` to this instance's followers of `channel` (not through the bus). */
  send(channel: string, data: unknown): void {
    const group = this.groups.get(channel);
    if (group) this.gather(group, data);
  }

  private sendToAll(data: unknown): void {
    for (const group of this.groups.values()) this.gather(group, data);
  }

  private gather(group: Group, data: unknown): void {
    group.gathered.push(new EventFrames(() => Buffer.from(untrackedFrameTail(data))));
    if (this.options.gatherMs === null) {
      this.flush(group);
      return;
    }
    group.timer ??= setTimeout(() => {
      group.timer = null;
      this.flush(group);
    }, this.options.gatherMs);
  }

  private flush(group: Group): void {
    const frames = group.gathered;
    group.gathered = [];
    for (const [target, queued] of group.joining)
      for (const frame of frames) queued.push(frame.frameFor(target));
    this.writes.write(group.targets, frames);
  }
}

class Joining implements GroupMember {
  constructor(
    private readonly group: Group,
    private readonly target: LiveTarget,
  ) {}

  goLive(): void {
    const queued = this.group.joining.get(this.target);
    // Gone already (the stream stopped while it set up), or live.
    if (!queued) return;
    this.group.joining.delete(this.target);
    if (queued.length) this.target.socket.sendTexts(queued);
    this.group.targets.add(this.target);
  }
}
