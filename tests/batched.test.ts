/**
 * The batching behind readers' marks and sends (group commit): calls that arrive while the database works on a
 * batch go together in the next one, each caller gets its own answer, and a failed batch fails only its own callers.
 */
import { expect, it } from 'vitest';
import { Batched, BatchedAcrossKeys, Failed } from '../src/server/db/batched.ts';

/** A batch runner the test releases by hand, recording what each batch held. */
function manualRunner() {
  const batches: number[][] = [];
  const pending: { resolve(results: number[]): void; reject(error: Error): void; items: number[] }[] = [];
  const run = (items: number[]) =>
    new Promise<number[]>((resolve, reject) => {
      batches.push(items);
      pending.push({ resolve, reject, items });
    });
  const settle = async (how: 'double' | 'fail' | 'short') => {
    await Promise.resolve();
    const batch = pending.shift();
    if (!batch) throw new Error('no batch is running');
    if (how === 'fail') batch.reject(new Error('the database went away'));
    else if (how === 'short') batch.resolve(batch.items.slice(1).map((n) => n * 2));
    else batch.resolve(batch.items.map((n) => n * 2));
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { batches, run, settle };
}

it('runs a lone call at once, and gathers the calls made meanwhile into the next batch', async () => {
  const { batches, run, settle } = manualRunner();
  const batched = new Batched(run, { concurrency: 1, maxBatch: 100 });
  const first = batched.call(1);
  const rest = [2, 3, 4].map((n) => batched.call(n));
  expect(batches).toEqual([[1]]);
  await settle('double');
  expect(await first).toBe(2);
  expect(batches).toEqual([[1], [2, 3, 4]]);
  await settle('double');
  expect(await Promise.all(rest)).toEqual([4, 6, 8]);
});

it('fails only the callers of the batch that failed, and keeps serving after it', async () => {
  const { run, settle } = manualRunner();
  const batched = new Batched(run, { concurrency: 1, maxBatch: 100 });
  const doomed = batched.call(1).catch((error: Error) => error.message);
  const next = batched.call(2);
  await settle('fail');
  expect(await doomed).toBe('the database went away');
  await settle('double');
  expect(await next).toBe(4);
});

it('never puts more than maxBatch calls in one batch, and refuses a batch that answered too few', async () => {
  const { batches, run, settle } = manualRunner();
  const batched = new Batched(run, { concurrency: 1, maxBatch: 2 });
  const calls = [1, 2, 3, 4, 5].map((n) => batched.call(n).catch((error: Error) => error.message));
  await settle('double');
  await settle('short');
  await settle('double');
  expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  const answers = await Promise.all(calls);
  expect(answers[0]).toBe(2);
  expect(answers.slice(1, 3)).toEqual(['A batch of 2 calls answered 1', 'A batch of 2 calls answered 1']);
  expect(answers.slice(3)).toEqual([8, 10]);
});

it('gives a call answered with Failed its own error, and the other callers of that batch their results', async () => {
  const batched = new Batched(
    async (items: number[]) => items.map((n) => (n === 2 ? new Failed(new Error('two is refused')) : n * 2)),
    { concurrency: 1, maxBatch: 100 },
  );
  const answers = await Promise.all(
    [1, 2, 3].map((n) => batched.call(n).catch((error: Error) => error.message)),
  );
  expect(answers).toEqual([2, 'two is refused', 6]);
});

/** A keyed batcher whose batches the test releases by hand, recording what each held. */
function manualKeyed(alongsideAfterMs: number, alongsideWhenWaiting?: number) {
  const runs: string[] = [];
  const pending: (() => void)[] = [];
  const batched = new BatchedAcrossKeys(
    (items: string[]) =>
      new Promise<string[]>((resolve) => {
        runs.push(items.join(','));
        pending.push(() => resolve(items.map((item) => item.toUpperCase())));
      }),
    { concurrency: 2, maxBatch: 100, alongsideAfterMs, alongsideWhenWaiting },
  );
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const release = async () => {
    pending.shift()?.();
    await turn();
  };
  return { batched, runs, turn, release };
}

it('across keys: the calls of one turn go as one batch, in the order called, whatever their keys', async () => {
  const { batched, runs, turn, release } = manualKeyed(1_000);
  const answers = Promise.all(['a1', 'a2', 'b3', 'a4', 'c5'].map((item) => batched.call(item[0], item)));
  expect(runs).toEqual([]);
  await turn();
  expect(runs).toEqual(['a1,a2,b3,a4,c5']);
  await release();
  expect(await answers).toEqual(['A1', 'A2', 'B3', 'A4', 'C5']);
  expect(batched.keys).toBe(0);
});

it('across keys: calls made while a batch runs wait for it, then go together', async () => {
  const { batched, runs, turn, release } = manualKeyed(1_000);
  const first = batched.call('a', 'a1');
  await turn();
  const later = [batched.call('b', 'b2'), batched.call('a', 'a3')];
  await turn();
  await turn();
  expect(runs).toEqual(['a1']);
  await release();
  expect(await first).toBe('A1');
  expect(runs).toEqual(['a1', 'b2,a3']);
  await release();
  expect(await Promise.all(later)).toEqual(['B2', 'A3']);
});

it('across keys: a batch that runs too long lets others start beside it, but never its own keys', async () => {
  const { batched, runs, turn, release } = manualKeyed(20);
  const stuck = batched.call('a', 'a1');
  await turn();
  const others = [batched.call('a', 'a2'), batched.call('b', 'b3')];
  await new Promise((resolve) => setTimeout(resolve, 60));
  // b3 goes beside the stuck batch; a2 waits for its room's batch to end.
  expect(runs).toEqual(['a1', 'b3']);
  // Past b3's own 20 ms (a timer set now comes due after its): on a busy machine the 60 ms above may not be.
  await new Promise((resolve) => setTimeout(resolve, 30));
  await release();
  expect(runs).toEqual(['a1', 'b3', 'a2']);
  expect(await stuck).toBe('A1');
  await release();
  await release();
  expect(await Promise.all(others)).toEqual(['A2', 'B3']);
});

it('across keys: under a flood a second batch starts beside the first at once, never a third', async () => {
  const { batched, runs, turn, release } = manualKeyed(1_000, 3);
  const first = batched.call('a', 'a1');
  await turn();
  const few = [batched.call('b', 'b2'), batched.call('c', 'c3')];
  await turn();
  // Two waiting: they wait for the batch in flight.
  expect(runs).toEqual(['a1']);
  const more = [batched.call('d', 'd4'), batched.call('e', 'e5')];
  await turn();
  // Four waiting: a second batch goes now, beside the first.
  expect(runs).toEqual(['a1', 'b2,c3,d4,e5']);
  const flood = ['f6', 'g7', 'h8', 'a9'].map((item) => batched.call(item[0], item));
  await turn();
  // Two in flight: the rest wait, however many.
  expect(runs).toEqual(['a1', 'b2,c3,d4,e5']);
  await release();
  expect(await first).toBe('A1');
  expect(runs).toEqual(['a1', 'b2,c3,d4,e5', 'f6,g7,h8,a9']);
  await release();
  await release();
  expect(await Promise.all([...few, ...more, ...flood])).toEqual([
    'B2',
    'C3',
    'D4',
    'E5',
    'F6',
    'G7',
    'H8',
    'A9',
  ]);
});
