/**
 * Runs calls in batches without a timer: a call made while `concurrency` batches are in flight waits for one of
 * them and goes with the next, so under load many calls cost one statement, and a call alone waits for nothing.
 * Each caller gets its own result (or its own error, when the batch answers it with a `Failed`), or the batch's error.
 */
export class Batched<Item, Result> {
  private readonly waiting: { item: Item; resolve(result: Result): void; reject(error: unknown): void }[] =
    [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: Item[]) => Promise<(Result | Failed)[]>,
    private readonly options: { concurrency: number; maxBatch: number },
  ) {}

  call(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.inFlight < this.options.concurrency) void this.next();
    });
  }

  private async next(): Promise<void> {
    this.inFlight++;
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      try {
        const results = await this.run(batch.map((call) => call.item));
        if (results.length !== batch.length) {
          throw new Error(`A batch of ${batch.length} calls answered ${results.length}`);
        }
        // Checked above: one result per call, in order.
        for (const [i, call] of batch.entries()) {
          const result = results[i] as Result | Failed;
          if (result instanceof Failed) call.reject(result.error);
          else call.resolve(result);
        }
      } catch (error) {
        for (const call of batch) call.reject(error);
      }
    }
    this.inFlight--;
  }

  /** Nothing running and nothing waiting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }
}

/** A batch's answer for one call that failed on its own: that caller gets the error, the others their results. */
export class Failed {
  constructor(readonly error: unknown) {}
}

/**
 * One `Batched` per key, made when a key is first called and dropped when it is idle again: calls with different
 * keys never wait for each other, calls with the same key go together.
 */
export class BatchedPer<Key, Item, Result> {
  private readonly byKey = new Map<Key, Batched<Item, Result>>();

  constructor(
    private readonly run: (key: Key, items: Item[]) => Promise<(Result | Failed)[]>,
    private readonly options: { concurrency: number; maxBatch: number },
  ) {}

  async call(key: Key, item: Item): Promise<Result> {
    let batched = this.byKey.get(key);
    if (!batched) {
      batched = new Batched((items) => this.run(key, items), this.options);
      this.byKey.set(key, batched);
    }
    try {
      return await batched.call(item);
    } finally {
      if (batched.idle && this.byKey.get(key) === batched) this.byKey.delete(key);
    }
  }

  /** How many keys have calls running or waiting. */
  get keys(): number {
    return this.byKey.size;
  }
}
