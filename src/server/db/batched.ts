/**
 * Runs calls in batches without a timer: a call made while `concurrency` batches are in flight waits for one of
 * them and goes with the next, so under load many calls cost one statement, and a call alone waits for nothing.
 * Each caller gets its own result, or the batch's error.
 */
export class Batched<Item, Result> {
  private readonly waiting: { item: Item; resolve(result: Result): void; reject(error: unknown): void }[] =
    [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: Item[]) => Promise<Result[]>,
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
        for (const [i, call] of batch.entries()) call.resolve(results[i] as Result);
      } catch (error) {
        for (const call of batch) call.reject(error);
      }
    }
    this.inFlight--;
  }
}
