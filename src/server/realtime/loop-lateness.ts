import { createHistogram } from 'node:perf_hooks';

/**
 * How often the loop is timed. Node's `monitorEventLoopDelay` samples every 10 ms by default, which woke an idle
 * instance a hundred times a second: ~4 ms of CPU a second doing nothing, more than a room of 1,000 costs at two
 * messages a second (docs/performance.md, entry 65). Ten times a second still times every stall longer than this.
 */
const probeEveryMs = 100;

/**
 * How late the event loop runs a timer: its 99th percentile over the last full window and the one under way
 * (`nextWindow()` ends one). A stall shows for one to two windows, and reading resets nothing, so readers do not
 * hide a stall from each other. Timed by a timer of its own: `monitorEventLoopDelay` forgets on reset when it last
 * ran, so a stall that also held up the end of a window was lost.
 */
export class LoopLateness {
  private readonly window = createHistogram();
  private lastWindowMs = 0;
  private due = performance.now() + probeEveryMs;
  private readonly probe = setInterval(() => this.time(), probeEveryMs).unref();

  lateMs(): number {
    return Math.max(this.lastWindowMs, this.windowMs());
  }

  nextWindow(): void {
    this.lastWindowMs = this.windowMs();
    this.window.reset();
  }

  stop(): void {
    clearInterval(this.probe);
  }

  private time(): void {
    const now = performance.now();
    // In microseconds: the histogram takes whole numbers from 1.
    this.window.record(Math.max(1, Math.round((now - this.due) * 1000)));
    this.due = now + probeEveryMs;
  }

  private windowMs(): number {
    return this.window.count === 0 ? 0 : Math.round(this.window.percentile(99) / 100) / 10;
  }
}
