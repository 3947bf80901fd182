/** A stream that keeps its recent events, oldest first, as the budget sees it. */
export interface KeepsRecent {
  /** The budget dropped the event at `position`: if it is still the stream's oldest kept, it goes. */
  forget(position: number): void;
}

/** How many recent events the streams keep: at most `perStream` each, and `total` and `bytes` all together. */
export interface RecentLimits {
  perStream: number;
  total: number;
  /** The size of the one buffer every kept frame tail is copied into. */
  bytes: number;
}

/**
 * The recent events every stream of an instance keeps for resumes, bounded together: when there are more than
 * `total`, or their frames fill `bytes`, the one kept longest, whichever room it is in, goes first. A busy room,
 * whose events are the newest, keeps up to `perStream`; an instance with thousands of private rooms open keeps
 * each one's last few. With `perStream` alone, memory grew with the number of rooms open: 500 events of ~1 KB
 * (~3 KB of RSS) in each of 10,000 rooms is gigabytes, every byte of it marked by each full collection
 * (docs/performance.md, entry 41).
 *
 * Kept in the order they came, in fixed arrays, and the frames' bytes in one buffer used as a ring: nothing is
 * allocated per event kept. A frame kept as a buffer of its own (or a slice of Node's shared 8 KB pool, which it
 * then held whole) outlived the young generation, and once the budget was full each dropped one was garbage that
 * only a full collection frees: a busy instance ran one every 3 s (entry 62).
 */
export class RecentBudget {
  private readonly streams: (KeepsRecent | undefined)[];
  private readonly positions: Float64Array;
  /** Where each kept frame's bytes are in `arena`, and how many. */
  private readonly starts: Uint32Array;
  private readonly lengths: Uint32Array;
  /** Uninitialised: its pages take memory only once frames are written to them. */
  private readonly arena: Buffer;
  /** Where the next frame's bytes go, unless they would pass the end (then at 0). */
  private writeAt = 0;
  private oldest = 0;
  private size = 0;

  constructor(readonly limits: RecentLimits) {
    this.streams = new Array(limits.total);
    this.positions = new Float64Array(limits.total);
    this.starts = new Uint32Array(limits.total);
    this.lengths = new Uint32Array(limits.total);
    this.arena = Buffer.allocUnsafeSlow(limits.total > 0 && limits.perStream > 0 ? limits.bytes : 0);
  }

  /** How many recent events a stream opened now reads to start with: its share while `open` streams are. */
  shareOf(open: number): number {
    const { perStream, total } = this.limits;
    return Math.min(perStream, total, Math.max(1, Math.floor(total / Math.max(1, open))));
  }

  /**
   * `stream` now keeps its event at `position`, its newest, whose frame tail is `tail` (copied): the events kept
   * longest go while there is no room. Returns where it is kept (see `frame`), or -1 if it cannot be (the budget
   * keeps nothing, or the frame alone is larger than all of it).
   */
  keep(stream: KeepsRecent, position: number, tail: Buffer): number {
    const { total } = this.limits;
    if (total === 0 || tail.length > this.arena.length) return -1;
    if (this.size === total) this.dropOldest();
    const start = this.placeFor(tail.length);
    tail.copy(this.arena, start);
    const slot = (this.oldest + this.size) % total;
    this.streams[slot] = stream;
    this.positions[slot] = position;
    this.starts[slot] = start;
    this.lengths[slot] = tail.length;
    this.writeAt = start + tail.length;
    this.size++;
    return slot;
  }

  /**
   * The frame tail kept at `slot`: a view of the shared buffer, valid until the budget keeps another (a resume
   * copies it into its own write in the same synchronous step).
   */
  frame(slot: number): Buffer {
    const start = this.starts[slot] ?? 0;
    return this.arena.subarray(start, start + (this.lengths[slot] ?? 0));
  }

  /** Where `length` bytes go in the ring, after dropping the events kept longest until they fit. */
  private placeFor(length: number): number {
    for (;;) {
      if (this.size === 0) return 0;
      const oldestStart = this.starts[this.oldest] ?? 0;
      if (oldestStart < this.writeAt) {
        // What is kept runs from the oldest's start to `writeAt`: free after it to the end, and before the oldest.
        if (this.writeAt + length <= this.arena.length) return this.writeAt;
        if (length <= oldestStart) return 0;
      } else if (this.writeAt + length <= oldestStart) {
        // What is kept wrapped: free only between `writeAt` and the oldest's start.
        return this.writeAt;
      }
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const dropped = this.streams[this.oldest];
    const droppedPosition = this.positions[this.oldest] ?? 0;
    this.streams[this.oldest] = undefined;
    this.oldest = (this.oldest + 1) % this.limits.total;
    this.size--;
    dropped?.forget(droppedPosition);
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
 * strings (its message, sender, dates), which every collection marks and each scavenge of a busy instance promoted
 * (docs/performance.md, entry 44); the tails themselves are in the budget's one buffer, and a stream keeps only
 * where (entry 62). Apart from the stream, so that what the budget's queue holds of a closed stream is this small
 * object, emptied.
 */
export class RecentFrames implements KeepsRecent {
  /** Where the budget keeps each tail (see `RecentBudget.frame`), oldest first. */
  private readonly slots: number[] = [];
  /** The position of `slots[0]`. */
  private first = 0;

  constructor(private readonly budget: RecentBudget) {}

  /** Whether streams keep anything (ROOM_STREAM_RECENT_EVENTS is not 0): a tail made only to be dropped is waste. */
  get keeping(): boolean {
    return this.budget.limits.perStream > 0;
  }

  /** Keeps the tail of the event at `position`, the stream's newest. */
  add(position: number, tail: Buffer): void {
    if (!this.keeping) return;
    // Kept first: making room may drop this stream's own oldest.
    const slot = this.budget.keep(this, position, tail);
    if (slot < 0) {
      // Not kept: what came before it can no longer be served as a run, so a resume from there reads the database.
      this.clear();
      return;
    }
    if (this.slots.length === 0) this.first = position;
    this.slots.push(slot);
    if (this.slots.length > this.budget.limits.perStream) this.dropOldest();
  }

  /**
   * The tails after `after` up to `head` when all of them are kept, else null (the caller reads the events). They
   * are views of the budget's buffer: write them before the stream keeps another event.
   */
  after(after: number, head: number): FrameTails | null {
    if (after >= head) return { first: head + 1, tails: [] };
    if (this.slots.length === 0 || this.first > after + 1) return null;
    const tails: Buffer[] = [];
    for (let i = after + 1 - this.first; i < this.slots.length; i++)
      tails.push(this.budget.frame(this.slots[i] ?? 0));
    return { first: after + 1, tails };
  }

  forget(position: number): void {
    if (this.slots.length > 0 && this.first === position) this.dropOldest();
  }

  /** Emptied in place: a list replaced would keep what it held until a full collection (entry 43). */
  clear(): void {
    this.slots.length = 0;
  }

  private dropOldest(): void {
    this.slots.shift();
    this.first++;
  }
}
