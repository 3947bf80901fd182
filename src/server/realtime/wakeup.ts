/**
 * A reader waiting for its next item: `wait()` resolves at the next `wake()` (a wake with nobody waiting does
 * nothing). Whoever ends the wait wakes it, the abort included: a race with a promise of the abort would leave a
 * reaction on that long-lived promise per wait until the subscription ends (~300 B each, docs/performance.md,
 * entry 46).
 */
export class Wakeup {
  private waiting: (() => void) | null = null;

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  wake(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }
}
