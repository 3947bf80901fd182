import { ask, loadCpu, type NodeProcess, spawnNode } from './processes.ts';

/**
 * A load generator that runs each step of its sweep only when told (its request's `gated`), so that two of them,
 * each holding its own sockets to its own server, can take turns step by step: whatever the machine does over a
 * minute then weighs on both sides of a ratio alike, not on one half of the run.
 */
export class SteppedLoad<Request extends object, Step, Answer> {
  readonly answer: Promise<Answer>;
  private readonly proc: NodeProcess;
  private waiting = false;
  private finished = false;
  private wake: () => void = () => {};

  constructor(script: string, request: Request, onStep: (step: Step) => void) {
    this.proc = spawnNode(script, { cpu: loadCpu, ipc: true });
    this.answer = ask<Answer>(this.proc, { ...request, gated: true }, (progress) => {
      if ((progress as { waiting?: boolean }).waiting) this.waiting = true;
      else onStep(progress as Step);
      this.wake();
    });
    this.answer.then(
      () => this.stopped(),
      () => this.stopped(),
    );
  }

  /** Resolves once the generator has connected and waits for its first step (or has stopped). */
  ready(): Promise<void> {
    return this.until(() => this.waiting || this.finished);
  }

  /** Runs the next step and waits for it; false once the generator has stopped (saturated, or every step run). */
  async step(): Promise<boolean> {
    await this.ready();
    if (this.finished) return false;
    this.waiting = false;
    this.proc.child.send({ go: true });
    await this.ready();
    return true;
  }

  /** Ends the sweep where it stands and returns the generator's answer. */
  async finish(): Promise<Answer> {
    await this.ready();
    if (!this.finished) this.proc.child.send({ go: false });
    try {
      return await this.answer;
    } finally {
      await this.proc.stop();
    }
  }

  private stopped(): void {
    this.finished = true;
    this.wake();
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = () => {
        if (condition()) resolve();
      };
    });
  }
}
