/**
 * Whether a crowd is arriving: at least `arrivals` arrivals within `windowMs` (a restart's reconnects, all at once),
 * and until `windowMs` after the last arrival of such a window. An instance taking in a crowd spends its core on
 * upgrades and resumes; what can wait a little (live writes to those already back) should, but only while the
 * crowd lasts: it ends soon after the last of it arrived.
 */
export interface CrowdSize {
  arrivals: number;
  windowMs: number;
}

export class CrowdWatch {
  private windowStart = Number.NEGATIVE_INFINITY;
  private arrivals = 0;
  private until = Number.NEGATIVE_INFINITY;

  private readonly size: number;
  private readonly windowMs: number;

  constructor(
    { arrivals, windowMs }: CrowdSize,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.size = arrivals;
    this.windowMs = windowMs;
  }

  arrived(): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.arrivals = 0;
    }
    if (++this.arrivals >= this.size) this.until = now + this.windowMs;
  }

  /** How long the crowd lasts if nobody else arrives (0: there is none). */
  get endsInMs(): number {
    return Math.max(0, this.until - this.now());
  }
}
