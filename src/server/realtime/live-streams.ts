import type { Logger } from '../logger.ts';
import { onAbort } from './abort.ts';
import type { EventBus } from './bus.ts';
import { type CrowdSize, CrowdWatch } from './crowd.ts';
import { type Follower, LiveRounds } from './live-rounds.ts';
import type { LiveTarget } from './live-target.ts';
import { type FrameTails, RecentBudget, RecentFrames, type RecentLimits } from './recent-budget.ts';
import { trackedFrameTail } from './ws-protocol.ts';

/** An event with a place in its stream: positions are dense (1, 2, 3, …) and commit in order. */
export interface Positioned {
  position: number;
}

/** What a kind of stream (a room's events) tells the machinery below; it knows nothing of rooms itself. */
export interface StreamSource<E extends Positioned> {
  channel(key: number): string;
  accept(message: unknown): message is E;
  /**
   * Where the stream starts: the newest stored position (a subscriber with no `lastEventId` starts after it), and
   * the newest stored events up to it, at most `newest`, in order.
   */
  start(key: number, newest: number): Promise<{ head: number; newest: E[] }>;
  /** Stored events after `after` and before `before` (or all), in order, at most `limit`. */
  between(key: number, after: number, before: number | null, limit: number): Promise<E[]>;
  /** The data tRPC would send for the event, as in `tracked(String(position), data)`. */
  data(event: E): unknown;
}

const fillPage = 500;
const fillRetryMs = 1_000;

/** One subscriber: first it queues what arrives while it reads its backlog, then it is written to directly. */
export class StreamSubscriber<E extends Positioned> implements Follower {
  /** Events not yet handed on; null once live. */
  queue: E[] | null = [];
  /** The last position this subscriber has been sent. */
  cursor = 0;
  /** Set when it leaves: a round under way passes it by. */
  left = false;

  constructor(
    readonly stream: LiveStream<E>,
    private readonly target: LiveTarget,
  ) {}

  /** Where the stream's rounds write to it; null while it reads its backlog and once it left. */
  get liveTarget(): LiveTarget | null {
    return this.queue || this.left ? null : this.target;
  }

  /** Called by the stream, in position order, while this subscriber reads its backlog. */
  enqueue(event: E): void {
    this.queue?.push(event);
  }

  /**
   * From now on the stream's rounds write to the socket. `backlog` (events the stream still holds in memory, as
   * frame tails) and what queued while the backlog was read go first, in the same synchronous step, so nothing can
   * slip between; they leave as one write.
   */
  goLive(cursor: number, backlog: FrameTails | null = null): boolean {
    if (!this.queue) return false;
    const queued = this.queue;
    this.queue = null;
    this.stream.wentLive(this);
    this.cursor = cursor;
    const tails: Buffer[] = [];
    backlog?.tails.forEach((tail, i) => {
      const position = backlog.first + i;
      if (position <= this.cursor) return;
      this.cursor = position;
      tails.push(tail);
    });
    for (const event of queued) {
      if (event.position <= this.cursor) continue;
      this.cursor = event.position;
      tails.push(this.stream.tail(event));
    }
    this.target.socket.sendFrames(this.target.head, tails);
    return true;
  }
}

/**
 * One stream (one room) on this instance: one bus listener, one position, one gap filler, whatever the number of
 * local subscribers. Each event is serialised once and written to the live subscribers' sockets as pre-built
 * frames, in rounds (see `LiveRounds`). An event that arrives ahead of its turn (two instances published out of
 * order, or the bus dropped one) waits while the gap is read from the database — once for the instance, not once
 * per subscriber.
 */
export class LiveStream<E extends Positioned> {
  private position = -1;
  private readonly subscribers = new Set<StreamSubscriber<E>>();
  /** Subscribers still reading their backlog: each event goes to their queues as it arrives. */
  private readonly reading = new Set<StreamSubscriber<E>>();
  private readonly joining: CrowdWatch;
  private readonly rounds: LiveRounds<E>;
  private readonly held = new Map<number, E>();
  /** The last events delivered here, as frame tails, as many as the budget leaves: most resumes are served from them. */
  private readonly recent: RecentFrames;
  private readonly tails = new WeakMap<E, Buffer>();
  private filling = false;
  /** The bus may have dropped events: read what is stored after `position` until nothing more is. */
  private behind = false;
  private closed = false;
  private readonly unsubscribe: () => void;
  readonly ready: Promise<void>;

  constructor(
    private readonly source: StreamSource<E>,
    bus: EventBus,
    readonly key: number,
    private readonly log: Logger,
    /** The recent events kept for resuming readers, this stream's and the others' (see `RecentBudget`). */
    budget: RecentBudget,
    /** How many of the newest stored events to read to start with. */
    startWith: number,
    private readonly onEmpty: () => void,
    crowd: CrowdSize,
  ) {
    this.joining = new CrowdWatch(crowd);
    this.recent = new RecentFrames(budget);
    this.rounds = new LiveRounds<E>(
      (event) => this.tail(event),
      () => this.subscribers,
      this.joining,
    );
    const channel = source.channel(key);
    this.unsubscribe = bus.subscribe(channel, (message) => {
      if (source.accept(message)) this.receive(message);
    });
    // Listen first, then read where the stream stands: an event published in between is held, not lost.
    // With the newest events, so the readers who reconnect after a restart resume from memory.
    this.ready = bus
      .ready(channel)
      .then(() => source.start(key, startWith))
      .then(({ head, newest }) => {
        if (newest.at(-1)?.position === head) for (const event of newest) this.keep(event);
        this.position = Math.max(this.position, head);
        this.release();
      });
  }

  /** The last position delivered here; valid once `ready` resolved. */
  get head(): number {
    return this.position;
  }

  join(target: LiveTarget): StreamSubscriber<E> {
    const subscriber = new StreamSubscriber(this, target);
    this.joining.arrived();
    this.subscribers.add(subscriber);
    this.reading.add(subscriber);
    return subscriber;
  }

  /** The subscriber has its backlog: from now on the rounds write to it, and its queue is gone. */
  wentLive(subscriber: StreamSubscriber<E>): void {
    this.reading.delete(subscriber);
  }

  leave(subscriber: StreamSubscriber<E>): void {
    subscriber.left = true;
    this.subscribers.delete(subscriber);
    this.reading.delete(subscriber);
    if (this.subscribers.size === 0) this.close();
  }

  close(): void {
    this.closed = true;
    this.recent.clear();
    this.unsubscribe();
    this.subscribers.clear();
    this.reading.clear();
    this.rounds.stop();
    this.onEmpty();
  }

  /** The event's frame tail, serialised and encoded once however many readers it is written to. */
  tail(event: E): Buffer {
    let tail = this.tails.get(event);
    if (tail === undefined) {
      tail = Buffer.from(trackedFrameTail(String(event.position), this.source.data(event)));
      this.tails.set(event, tail);
    }
    return tail;
  }

  /** After the bus may have dropped events (see `EventBus.onRecover`): re-read the stream from its position. */
  catchUp(): void {
    if (this.position < 0 || this.closed) return;
    this.behind = true;
    this.fill();
  }

  private receive(event: E): void {
    if (event.position <= this.position) return;
    if (this.position >= 0 && event.position === this.position + 1 && !this.filling) {
      this.deliver(event);
      this.release();
      return;
    }
    this.held.set(event.position, event);
    if (this.position >= 0) this.fill();
  }

  /**
   * The frame tails of the events after `after` when this stream still holds all of them (or there are none yet),
   * else null: the caller then reads the events from the database.
   */
  recentAfter(after: number): FrameTails | null {
    return this.recent.after(after, this.position);
  }

  private keep(event: E): void {
    if (this.recent.keeping) this.recent.add(event.position, this.tail(event));
  }

  private deliver(event: E): void {
    this.position = event.position;
    this.keep(event);
    for (const subscriber of this.reading) subscriber.enqueue(event);
    this.rounds.add(event);
  }

  /** Delivers held events while they continue the stream; reads the gap from the database when they do not. */
  private release(): void {
    for (;;) {
      const next = this.held.get(this.position + 1);
      if (!next) break;
      this.held.delete(this.position + 1);
      this.deliver(next);
    }
    for (const position of this.held.keys()) if (position <= this.position) this.held.delete(position);
    if (this.held.size || this.behind) this.fill();
  }

  /**
   * Reads the events missing before the first held one (or, when behind, whatever is stored after the position),
   * one page at a time, then releases what was held.
   */
  private fill(): void {
    if (this.filling || this.closed || (!this.held.size && !this.behind)) return;
    const firstHeld = this.held.size ? Math.min(...this.held.keys()) : null;
    this.filling = true;
    const limit = firstHeld === null ? fillPage : Math.min(fillPage, firstHeld - this.position - 1);
    this.source.between(this.key, this.position, firstHeld, limit).then(
      (missed) => {
        for (const event of missed) if (event.position === this.position + 1) this.deliver(event);
        if (firstHeld === null) this.behind = missed.length === limit;
        else if (missed.length === 0) this.skipUnfillableGap(firstHeld);
        this.filling = false;
        this.release();
      },
      (cause) => {
        this.log.error('Could not read a stream gap; retrying', { key: this.key, cause });
        setTimeout(() => {
          this.filling = false;
          this.release();
        }, fillRetryMs).unref();
      },
    );
  }

  /** Cannot happen while positions commit in order; if it ever does, go on rather than wait for ever. */
  private skipUnfillableGap(firstHeld: number): void {
    this.log.warn('A stream gap could not be filled', { key: this.key, after: this.position, firstHeld });
    this.position = firstHeld - 1;
    this.recent.clear();
  }
}

/** Every live stream of one kind on this instance, made on the first subscriber and dropped after the last. */
export class LiveStreams<E extends Positioned> {
  private readonly streams = new Map<number, LiveStream<E>>();
  private readonly budget: RecentBudget;

  constructor(
    private readonly source: StreamSource<E>,
    private readonly bus: EventBus,
    private readonly log: Logger,
    /**
     * Recent events kept so most resumes need no database read: each stream's most (ROOM_STREAM_RECENT_EVENTS)
     * and all of them together (ROOM_STREAM_RECENT_TOTAL).
     */
    recentLimits: RecentLimits,
    /**
     * Joins that make a crowd (a restart's reconnects), while which a talking room's live writes wait (see
     * `LiveRounds`): ROOM_STREAM_CROWD_JOINS within ROOM_STREAM_CROWD_WINDOW_MS.
     */
    private readonly crowd: CrowdSize,
  ) {
    this.budget = new RecentBudget(recentLimits);
    bus.onRecover(() => {
      for (const stream of this.streams.values()) stream.catchUp();
    });
  }

  /** How many streams this instance keeps open (one per room with a local reader). */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Joins the stream of `key`; the subscriber leaves when `signal` aborts. Resolves once the stream knows its
   * position, so the caller can read a backlog without a seam.
   */
  async join(key: number, target: LiveTarget, signal: AbortSignal | undefined) {
    let stream = this.streams.get(key);
    if (!stream) {
      const created: LiveStream<E> = new LiveStream(
        this.source,
        this.bus,
        key,
        this.log,
        this.budget,
        this.budget.shareOf(this.streams.size + 1),
        () => {
          if (this.streams.get(key) === created) this.streams.delete(key);
        },
        this.crowd,
      );
      stream = created;
      this.streams.set(key, stream);
    }
    const subscriber = stream.join(target);
    const joined = stream;
    onAbort(signal, () => joined.leave(subscriber));
    try {
      await stream.ready;
    } catch (cause) {
      // A stream that never learned its position is of no use to anyone: the next subscriber makes a new one.
      joined.close();
      throw cause;
    }
    return subscriber;
  }
}
