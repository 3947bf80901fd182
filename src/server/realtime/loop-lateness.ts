import { createHistogram } from 'node:perf_hooks';

/**
 * How late the event loop runs a timer: its 99th percentile over the last full window and the one under way
 * (`nextWindow()` ends one). A stall shows for one to two windows, and reading resets nothing, so readers do not
 * hide a stall from each other. It has no timer of its own: a timer the instance runs anyway (the keep-alive sweep,
 * four times a second) reports each run with `ran`. A probe of its own, ten times a second, cost an idle instance
 * 2–3 ms of CPU a second, two thirds of all it spent (docs/performance.md, entry 84); Node's
 * `monitorEventLoopDelay` samples every 10 ms, and forgets on reset when it last ran, so a stall that also held up
 * the end of a window was lost.
 */
export class LoopLateness {
  private readonly window = createHistogram();
  private lastWindowMs = 0;
  private due: number | null = null;

  /** Called by a timer each time it runs, every `everyMs`: records how late this run came. */
  ran(everyMs: number): void {
    const now = performance.now();
    // In microseconds: the histogram takes whole numbers from 1.
    if (this.due !== null) this.window.record(Math.max(1, Math.round((now - this.due) * 1000)));
    this.due = now + everyMs;
  }

  lateMs(): number {
    return Math.max(this.lastWindowMs, this.windowMs());
  }

  nextWindow(): void {
    this.lastWindowMs = this.windowMs();
    this.window.reset();
  }

  private windowMs(): number {
    return this.window.count === 0 ? 0 : Math.round(this.window.percentile(99) / 100) / 10;
  }
}
