import type { CrowdWatch } from './crowd.ts';
import type { Positioned } from './live-streams.ts';
import type { LiveTarget } from './live-target.ts';
import { FrameRun } from './socket.ts';

/** A live subscriber as a round sees it: the last position it was written, and its socket (null: not live). */
export interface Follower {
  cursor: number;
  readonly liveTarget: LiveTarget | null;
}

/**
 * Live followers written to in one turn of the event loop (~5 ms of socket writes); the rest get the next turns,
 * so a round over ten thousand sockets lets upgrades, resumes and pings through between its slices.
 */
const writesPerTurn = 500;

/** Between rounds: one shared empty list, not a new one per round left to outlive scavenges. */
const noFollowers: readonly Follower[] = [];

/** The longest a round waits for the one before it (see `LiveRounds.finish`). */
const mostPauseMs = 1_000;

/** While a crowd joins, the longest the events of a round wait for others to go out with them (see `gathering`). */
const crowdGatherMs = 1_000;

/**
 * Writes a stream's events to its live followers in rounds: each follower is written, in one write, every event it
 * has not had yet. While the instance keeps up, a round is one event written in the turn it arrived. When it does
 * not (ten thousand sockets resuming after a restart while the room keeps talking), the events that arrive while a
 * round goes on are written together in the next, so the busier the instance, the fewer and larger its writes,
 * instead of a write per event per socket that puts it further behind. Followers whose subscriptions have the
 * same head and stand at the same position are written one shared buffer.
 */
export class LiveRounds<E extends Positioned> {
  /**
   * Events some live follower may not have been written yet, oldest first. Emptied in place, never replaced: the
   * list outlives the scavenges between a room's messages, and a replaced list left there would keep the events it
   * held until a full collection, and with them their messages (docs/performance.md, entry 43).
   */
  private readonly outgoing: E[] = [];
  /** The newest position when the last round began: every live follower stands at least there. */
  private floor = -1;
  private followers: readonly Follower[] = noFollowers;
  private next = 0;
  private running = false;
  /** Between two rounds of a busy instance (see `finish`). */
  private pausing = false;
  /** Time this round spent in its slices, not counting the turns between them. */
  private writingMs = 0;
  /** Followers this round has written. */
  private written = 0;
  private startedInCrowd = false;
  /** The last round's `written` if a crowd was joining when it began, else 0 (see `gathering`). */
  private writtenInCrowd = 0;
  /** An event came while a round went on: the followers it had passed get it in another. */
  private again = false;
  /**
   * This round's frames, by the position a follower stands at, then by head; dropped when an event comes and when
   * the round ends. A new map each time, none between rounds: a map that outlived many rounds and was cleared
   * would keep what it held until a full collection, and even an empty one kept between rounds outlives the next
   * scavenges in a room that talks every second (docs/performance.md, entry 43).
   */
  private runs: Map<number, { tails: Buffer[]; byHead: Map<string, FrameRun> }> | null = null;
  private runsUpTo = -1;

  constructor(
    private readonly tail: (event: E) => Buffer,
    private readonly members: () => Iterable<Follower>,
    /** Followers joining: while a crowd does, the instance's core is theirs first (see `gathering`). */
    private readonly joining: CrowdWatch,
  ) {}

  add(event: E): void {
    this.outgoing.push(event);
    if (this.running || this.pausing) this.again = true;
    else if (this.gathering) this.gather();
    else this.start();
  }

  /**
   * While a crowd joins a room that talks (ten thousand sockets resuming after a restart), its events wait for
   * others to go out with them, until the crowd has passed or for at most `crowdGatherMs`: live writes to those
   * already back, ten a second each, would take most of the core that the resumes of the rest need, and one write a
   * second carries the same events. Only when the last round, written during the crowd, took more than one turn:
   * a room of a few hundred costs too little to be worth delaying, and the first event after a crowd (a room that
   * people have just joined, quiet until now) goes at once.
   */
  private get gathering(): boolean {
    return this.writtenInCrowd > writesPerTurn && this.joining.endsInMs > 0;
  }

  private gather(): void {
    const deadline = performance.now() + crowdGatherMs;
    const waitForCrowd = () => {
      const waitMs = Math.min(this.joining.endsInMs, deadline - performance.now());
      if (waitMs > 0) {
        setTimeout(waitForCrowd, waitMs).unref();
        return;
      }
      this.pausing = false;
      this.start();
    };
    this.pausing = true;
    waitForCrowd();
  }

  stop(): void {
    this.outgoing.length = 0;
    this.followers = noFollowers;
    this.runs = null;
  }

  private start(): void {
    // Whoever is live now was written (or resumed to) at least up to where the last round began.
    const needed = this.outgoing.findIndex((event) => event.position > this.floor);
    this.outgoing.splice(0, needed < 0 ? this.outgoing.length : needed);
    this.floor = this.outgoing.at(-1)?.position ?? this.floor;
    this.followers = [...this.members()];
    this.next = 0;
    this.running = true;
    this.again = false;
    this.writingMs = 0;
    this.written = 0;
    this.startedInCrowd = this.joining.endsInMs > 0;
    this.writeSlice();
  }

  private writeSlice(): void {
    const sliceStart = performance.now();
    const newest = this.outgoing.at(-1)?.position ?? -1;
    let budget = writesPerTurn;
    while (budget > 0 && this.next < this.followers.length) {
      const follower = this.followers[this.next++]!;
      const target = follower.liveTarget;
      if (!target || follower.cursor >= newest) continue;
      const run = this.runFrom(follower.cursor, target, newest);
      follower.cursor = newest;
      target.socket.sendRun(run);
      budget--;
      this.written++;
    }
    this.writingMs += performance.now() - sliceStart;
    // An immediate runs after the I/O the loop has waiting, so what arrived meanwhile goes first.
    if (this.next < this.followers.length) {
      setImmediate(() => this.writeSlice());
      return;
    }
    this.finish();
  }

  /**
   * A round that fell behind (events came while it was writing) and took a while is followed by a pause as long (at
   * most `mostPauseMs`; the turns between its slices, spent on other work, do not count): live writes then take at
   * most half of a busy instance's time, and upgrades, resumes and calls the rest, while every follower still gets
   * every event — those that came meanwhile a little later, together, in one write. A round that kept up, or took
   * under a millisecond (a room of a few hundred), is not paused after: the next event is written when it comes,
   * so an instance that keeps up pays no latency for the pause (fan-out at 35,000 deliveries/s did, entry 19).
   */
  private finish(): void {
    this.running = false;
    this.followers = noFollowers;
    this.runs = null;
    this.writtenInCrowd = this.startedInCrowd ? this.written : 0;
    if (!this.again) {
      // Every live follower has had them (the next round would drop them first): in a quiet room they would
      // otherwise outlive a collection or two, and be copied by each.
      this.outgoing.length = 0;
      return;
    }
    if (this.gathering) {
      this.gather();
      return;
    }
    const tookMs = this.writingMs;
    if (tookMs < 1) {
      setImmediate(() => this.running || this.pausing || this.start());
      return;
    }
    this.pausing = true;
    setTimeout(
      () => {
        this.pausing = false;
        this.start();
      },
      Math.min(tookMs, mostPauseMs),
    ).unref();
  }

  /** The frames after `cursor` up to `newest`, built once for each head that needs them. */
  private runFrom(cursor: number, target: LiveTarget, newest: number): FrameRun {
    if (this.runsUpTo !== newest || !this.runs) {
      this.runs = new Map();
      this.runsUpTo = newest;
    }
    let from = this.runs.get(cursor);
    if (!from) {
      const tails = this.outgoing.filter((event) => event.position > cursor).map(this.tail);
      from = { tails, byHead: new Map() };
      this.runs.set(cursor, from);
    }
    let run = from.byHead.get(target.headText);
    if (!run) {
      run = new FrameRun(target.head, from.tails);
      from.byHead.set(target.headText, run);
    }
    return run;
  }
}
