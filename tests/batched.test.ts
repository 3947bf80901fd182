/**
 * The batching behind readers' marks: calls that arrive while the database works on a batch go together in the
 * next one, each caller gets its own answer, and a failed batch fails only its own callers.
 */
import { expect, it } from 'vitest';
import { Batched, BatchedPer, Failed } from '../src/server/db/batched.ts';

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

it('per key: calls with the same key go together, other keys do not wait, and an idle key is forgotten', async () => {
  const runs: string[] = [];
  const batched = new BatchedPer(
    async (key: string, items: number[]) => {
      runs.push(`${key}:${items.join(',')}`);
      return items.map((n) => `${key}${n}`);
    },
    { concurrency: 1, maxBatch: 100 },
  );
  const answers = await Promise.all([
    batched.call('a', 1),
    batched.call('a', 2),
    batched.call('b', 3),
    batched.call('a', 4),
  ]);
  expect(answers).toEqual(['a1', 'a2', 'b3', 'a4']);
  expect(runs).toEqual(['a:1', 'b:3', 'a:2,4']);
  expect(batched.keys).toBe(0);
});
