/** A stream that keeps its recent events, oldest first, as the budget sees it. */
export interface KeepsRecent {
  /** The budget dropped the event at `position`: if it is still the stream's oldest kept, it goes. */
  forget(position: number): void;
}

/** How many recent events the streams keep: at most `perStream` each, at most `total` all together. */
export interface RecentLimits {
  perStream: number;
  total: number;
}

/**
 * The recent events every stream of an instance keeps for resumes, bounded together: when there are more than
 * `total`, the one kept longest, whichever room it is in, goes first. A busy room, whose events are the newest,
 * keeps up to `perStream`; an instance with thousands of private rooms open keeps each one's last few. With
 * `perStream` alone, memory grew with the number of rooms open: 500 events of ~1 KB (~3 KB of RSS) in each of
 * 10,000 rooms is gigabytes, every byte of it marked by each full collection (docs/performance.md, entry 41).
 * A queue of (stream, position) in the order they were kept, in two fixed arrays: nothing allocated per event.
 */
export class RecentBudget {
  private readonly streams: (KeepsRecent | undefined)[];
  private readonly positions: Float64Array;
  private oldest = 0;
  private size = 0;

  constructor(readonly limits: RecentLimits) {
    this.streams = new Array(limits.total);
    this.positions = new Float64Array(limits.total);
  }

  /** How many recent events a stream opened now reads to start with: its share while `open` streams are. */
  shareOf(open: number): number {
    const { perStream, total } = this.limits;
    return Math.min(perStream, total, Math.max(1, Math.floor(total / Math.max(1, open))));
  }

  /** `stream` now keeps its event at `position`, its newest: over the total, the event kept longest goes. */
  kept(stream: KeepsRecent, position: number): void {
    const { total } = this.limits;
    if (total === 0) {
      stream.forget(position);
      return;
    }
    if (this.size === total) {
      const dropped = this.streams[this.oldest];
      const droppedPosition = this.positions[this.oldest] ?? 0;
      this.streams[this.oldest] = undefined;
      this.oldest = (this.oldest + 1) % total;
      this.size--;
      dropped?.forget(droppedPosition);
    }
    const at = (this.oldest + this.size) % total;
    this.streams[at] = stream;
    this.positions[at] = position;
    this.size++;
  }
}

/** Consecutive events as their frame tails: `tails[i]` is the event at position `first + i`. */
export interface FrameTails {
  first: number;
  tails: readonly Buffer[];
}

/**
 * One stream's recent events as the frame tails a resume writes (see `LiveStream.tail`), contiguous and oldest
 * first, as many as its own limit and the budget leave. Tails, not the events: an event is a dozen objects and
 * strings (its message, sender, dates), which every collection marks and each scavenge of a busy instance promoted,
 * where a tail is one buffer (docs/performance.md, entry 44). Apart from the stream, so that what the budget's
 * queue holds of a closed stream is this small object, emptied.
 */
export class RecentFrames implements KeepsRecent {
  private readonly tails: Buffer[] = [];
  /** The position of `tails[0]`. */
  private first = 0;

  constructor(private readonly budget: RecentBudget) {}

  /** Whether streams keep anything (ROOM_STREAM_RECENT_EVENTS is not 0): a tail made only to be dropped is waste. */
  get keeping(): boolean {
    return this.budget.limits.perStream > 0;
  }

  /** Keeps the tail of the event at `position`, the stream's newest. */
  add(position: number, tail: Buffer): void {
    if (!this.keeping) return;
    if (this.tails.length === 0) this.first = position;
    this.tails.push(tail);
    if (this.tails.length > this.budget.limits.perStream) this.dropOldest();
    this.budget.kept(this, position);
  }

  /** The tails after `after` up to `head` when all of them are kept, else null (the caller reads the events). */
  after(after: number, head: number): FrameTails | null {
    if (after >= head) return { first: head + 1, tails: [] };
    if (this.tails.length === 0 || this.first > after + 1) return null;
    return { first: after + 1, tails: this.tails.slice(after + 1 - this.first) };
  }

  forget(position: number): void {
    if (this.tails.length > 0 && this.first === position) this.dropOldest();
  }

  /** Emptied in place: a list replaced would keep what it held until a full collection (entry 43). */
  clear(): void {
    this.tails.length = 0;
  }

  private dropOldest(): void {
    this.tails.shift();
    this.first++;
  }
}
