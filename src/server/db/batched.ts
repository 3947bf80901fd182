/**
 * Runs calls in batches without a timer: a call made while `concurrency` batches are in flight waits for one of
 * them and goes with the next, so under load many calls cost one statement, and a call alone waits for nothing.
 * Each caller gets its own result (or its own error, when the batch answers it with a `Failed`), or the batch's error.
 */
export class Batched<Item, Result> {
  private readonly waiting: Waiting<Item, Result>[] = [];
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
      await answerBatch(this.waiting.splice(0, this.options.maxBatch), this.run);
    }
    this.inFlight--;
  }

  /** Nothing running and nothing waiting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }
}

/** A call waiting for its batch's answer. */
interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

type KeyedCall<Key, Item, Result> = Waiting<Item, Result> & { key: Key };

/** Runs a batch and answers each of its callers: its own result or `Failed` error, or the whole batch's error. */
async function answerBatch<Item, Result>(
  batch: readonly Waiting<Item, Result>[],
  run: (items: Item[]) => Promise<(Result | Failed)[]>,
): Promise<void> {
  try {
    const results = await run(batch.map((call) => call.item));
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

/** A batch's answer for one call that failed on its own: that caller gets the error, the others their results. */
export class Failed {
  constructor(readonly error: unknown) {}
}

/**
 * Calls with keys, run in batches across keys: a batch takes, in the order called, the waiting calls whose key no
 * batch in flight holds (up to `maxBatch`), so a key is in at most one batch at a time and its calls run in the
 * order made, while calls with different keys go together. A call waits only for the end of the event loop's turn
 * (calls made in one turn, the sends of every socket read in it or those one Redis reply let through, start one
 * batch), and for the batch in flight: one runs at a time, so the calls made meanwhile go together in the next,
 * each batch costing its database one statement and one commit (fewer, bigger batches cost it less per call). A
 * batch still running after `alongsideAfterMs` (waiting for a lock, say) lets the next start beside it, up to
 * `concurrency` in flight, so one slow batch never holds up every other key. Under a flood, with at least
 * `alongsideWhenWaiting` calls waiting, a second batch starts beside a young one at once: the database works on
 * one while the caller answers the other's callers and gathers the next, where one at a time left each idle in turn.
 */
export class BatchedAcrossKeys<Key, Item, Result> {
  private readonly waiting: KeyedCall<Key, Item, Result>[] = [];
  private readonly keysInFlight = new Set<Key>();
  private inFlight = 0;
  /** Batches in flight that have run less than `alongsideAfterMs`: while one does, no other starts. */
  private young = 0;
  private startScheduled = false;

  constructor(
    private readonly run: (items: Item[]) => Promise<(Result | Failed)[]>,
    private readonly options: {
      concurrency: number;
      maxBatch: number;
      alongsideAfterMs: number;
      alongsideWhenWaiting?: number;
    },
  ) {}

  call(key: Key, item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, item, resolve, reject });
      if (this.startScheduled) return;
      this.startScheduled = true;
      setImmediate(() => {
        this.startScheduled = false;
        this.startBatches();
      });
    });
  }

  /**
   * Starts a batch if none in flight is young (or only one is, under a flood), fewer than `concurrency` run and
   * some waiting call's key is free.
   */
  private startBatches(): void {
    while (this.inFlight < this.options.concurrency && (this.young === 0 || this.flooded())) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      void this.runBatch(batch);
    }
  }

  /** One batch in flight and enough calls waiting to be worth a second beside it. */
  private flooded(): boolean {
    const { alongsideWhenWaiting } = this.options;
    return (
      alongsideWhenWaiting !== undefined && this.inFlight === 1 && this.waiting.length >= alongsideWhenWaiting
    );
  }

  private takeBatch(): KeyedCall<Key, Item, Result>[] {
    const batch: KeyedCall<Key, Item, Result>[] = [];
    const waiting = this.waiting;
    let kept = 0;
    // Once a key's call stays behind (full batch), so do its later ones: each key's calls taken are its first.
    for (const call of waiting) {
      if (batch.length < this.options.maxBatch && !this.keysInFlight.has(call.key)) batch.push(call);
      else waiting[kept++] = call;
    }
    // Compacted in place: a list this long-lived object dropped while old would keep the calls it held (and each
    // call's chain of awaits) alive until a full collection (docs/performance.md, entry 43).
    waiting.length = kept;
    return batch;
  }

  private async runBatch(batch: KeyedCall<Key, Item, Result>[]): Promise<void> {
    const keys = new Set(batch.map((call) => call.key));
    for (const key of keys) this.keysInFlight.add(key);
    this.inFlight++;
    this.young++;
    let young = true;
    const aging = setTimeout(() => {
      young = false;
      this.young--;
      this.startBatches();
    }, this.options.alongsideAfterMs);
    await answerBatch(batch, this.run);
    clearTimeout(aging);
    if (young) this.young--;
    for (const key of keys) this.keysInFlight.delete(key);
    this.inFlight--;
    this.startBatches();
  }

  /** How many keys have calls running or waiting. */
  get keys(): number {
    return new Set([...this.keysInFlight, ...this.waiting.map((call) => call.key)]).size;
  }
}
