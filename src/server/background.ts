import type { Logger } from './logger.ts';

/**
 * Work started after a call was answered (a reset mail). Each task's failure is logged, never thrown at the caller;
 * shutdown waits for what is running, so an answered request does not lose its mail.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Starts `task` on a later turn of the event loop, once the call that asked for it has sent its answer. */
  run(what: string, task: () => Promise<void>): void {
    const done = new Promise((resolve) => setImmediate(resolve))
      .then(task)
      .catch((cause: unknown) => this.log.error(`Could not ${what}`, { cause }))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once every task started so far has ended (tasks started meanwhile included). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }
}
