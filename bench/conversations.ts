/**
 * Scenario 3, conversations: 500 private rooms plus the public room, served by two instances over Redis (both on
 * the server's core), half the pairs split across them. Round trip from the send call to the other member's
 * receipt, for messages that cross instances and for those that stay; every message must arrive exactly once.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  closeLoopWindow,
  type LoopSummary,
  loopLine,
  loopSummary,
  loopWatchFile,
  openLoopWindow,
} from './lib/loop-window.ts';
import {
  type BenchDatabase,
  benchDatabase,
  type ParleyInstance,
  publicRoomId,
  redisUrl,
  seedPrivateRooms,
  seedUsers,
  startParley,
  transactions,
} from './lib/parley.ts';
import { cpuMicros, postgresCpuMicros, runLoad, writeCalls } from './lib/processes.ts';
import { redisCommands } from './lib/redis-stats.ts';
import { printTable } from './lib/table.ts';
import type { ConversationsRequest, ConversationsStep } from './load/conversations-load.ts';

export interface ConversationsOptions {
  pairs: number;
  rates: number[];
  stepMs: number;
  serverNodeArgs?: string[];
  /** Each instance's event loop and GC pauses per step (`bench/lib/loop-watch.ts`). */
  loopWatch?: boolean;
}

export const fullConversations: ConversationsOptions = {
  pairs: 500,
  rates: [50, 100, 200, 400, 700, 1_000],
  stepMs: 5_000,
};
export const quickConversations: ConversationsOptions = { pairs: 20, rates: [20, 50], stepMs: 1_000 };

/** What each step cost: server CPU per message on each instance, Redis commands per message (all clients'). */
interface StepCost {
  cpuMicrosPerMessage: number[];
  /** The load generator's CPU per message: it shares the machine's two cores with everything measured. */
  generatorCpuMicrosPerMessage: number;
  /** PostgreSQL's CPU per message, all its processes (it shares the machine's two cores with the instances). */
  postgresCpuMicrosPerMessage: number;
  /** PostgreSQL transactions per message: below 1 where group commit put several sends in one statement. */
  transactionsPerMessage: number;
  /** Write system calls per message on each instance (to its sockets: people, Redis, PostgreSQL). */
  writesPerMessage: number[];
  redisCommandsPerMessage: number;
  redisPublishesPerMessage: number;
  redisReadsPerMessage: number;
  redisCpuMicrosPerMessage: number;
  /** With `loopWatch`: what each instance's loop went through in the step (null: it wrote no report). */
  loops?: (LoopSummary | null)[];
}

interface CostMark {
  cpu: number[];
  generator: number;
  postgres: number;
  transactions: number;
  writes: number[];
  redis: Awaited<ReturnType<typeof redisCommands>>;
}

async function costMark(
  instances: ParleyInstance[],
  db: BenchDatabase,
  generatorPid: number,
): Promise<CostMark> {
  return {
    cpu: instances.map((i) => cpuMicros(i.proc.pid)),
    generator: cpuMicros(generatorPid),
    postgres: postgresCpuMicros(),
    transactions: await transactions(db),
    writes: instances.map((i) => writeCalls(i.proc.pid)),
    redis: await redisCommands(redisUrl),
  };
}

async function stepCost(
  instances: ParleyInstance[],
  db: BenchDatabase,
  generatorPid: number,
  from: CostMark,
  messages: number,
): Promise<StepCost> {
  const to = await costMark(instances, db, generatorPid);
  const per = (a: number, b: number) => Math.round(((b - a) / messages) * 10) / 10;
  return {
    cpuMicrosPerMessage: to.cpu.map((cpu, i) => Math.round((cpu - from.cpu[i]!) / messages)),
    generatorCpuMicrosPerMessage: Math.round((to.generator - from.generator) / messages),
    postgresCpuMicrosPerMessage: Math.round((to.postgres - from.postgres) / messages),
    transactionsPerMessage: Math.round(((to.transactions - from.transactions) / messages) * 100) / 100,
    writesPerMessage: to.writes.map((writes, i) => per(from.writes[i]!, writes)),
    redisCommandsPerMessage: per(from.redis.total, to.redis.total),
    redisPublishesPerMessage: per(from.redis.publish, to.redis.publish),
    redisReadsPerMessage: per(from.redis.reads, to.redis.reads),
    redisCpuMicrosPerMessage: per(from.redis.cpuMicros, to.redis.cpuMicros),
  };
}

/** Closes each instance's loop window and sums what its loop went through in the step. */
async function stepLoops(watched: { pid: number; file: string }[]): Promise<Pick<StepCost, 'loops'>> {
  const reports = await closeLoopWindow(watched);
  return { loops: reports.map(loopSummary) };
}

/** Each instance's loop in the step, when watched. */
const loopText = ({ loops }: Pick<StepCost, 'loops'>) =>
  loops ? `; loops: ${loops.map((summary, i) => `instance ${i} ${loopLine(summary)}`).join(' | ')}` : '';

export async function runConversations(options: ConversationsOptions) {
  const db = await benchDatabase();
  const problems: string[] = [];
  let steps: (ConversationsStep & Partial<StepCost>)[] = [];
  try {
    const redisPrefix = `parley_bench_${randomBytes(4).toString('hex')}:`;
    const loopFiles = [0, 1].map((i) =>
      options.loopWatch ? loopWatchFile(`conversations-${i}`) : undefined,
    );
    const instances: ParleyInstance[] = [];
    for (const loopWatchFile of loopFiles)
      instances.push(
        await startParley({
          databaseUrl: db.url,
          redisPrefix,
          nodeArgs: options.serverNodeArgs,
          loopWatchFile,
        }),
      );
    const watched = loopFiles.flatMap((file, i) => (file ? [{ pid: instances[i]!.proc.pid, file }] : []));
    try {
      const people = await seedUsers(db, options.pairs * 2);
      const roomIds = await seedPrivateRooms(
        db,
        Array.from({ length: options.pairs }, (_, i) => [people[2 * i]!.id, people[2 * i + 1]!.id]),
      );
      const request: ConversationsRequest = {
        instances: instances.map((instance) => instance.url),
        // Pair i: its first member on instance 0; its second on instance 1 for every other pair.
        people: people.map((person, i) => ({
          token: person.token,
          instance: i % 2 === 1 && i % 4 === 3 ? 1 : 0,
        })),
        pairs: roomIds.map((roomId, i) => ({ roomId, a: 2 * i, b: 2 * i + 1 })),
        publicRoomId: await publicRoomId(db),
        rates: options.rates,
        stepMs: options.stepMs,
      };
      console.log(`\nconversations: ${options.pairs} private rooms on two instances`);
      // Each step's cost, from its start to its report (which comes once every message arrived or timed out).
      let mark: CostMark | null = null;
      const costs = new Map<number, StepCost>();
      ({ steps } = await runLoad<{ steps: ConversationsStep[] }>(
        'bench/load/conversations-load.ts',
        request,
        async (progress, load) => {
          if ('starting' in (progress as object)) {
            openLoopWindow(watched.map(({ pid }) => pid));
            mark = await costMark(instances, db, load.pid);
            return;
          }
          const step = progress as ConversationsStep;
          const loops = watched.length ? await stepLoops(watched) : {};
          const cost = mark
            ? { ...(await stepCost(instances, db, load.pid, mark, step.sent)), ...loops }
            : null;
          if (cost) costs.set(step.rate, cost);
          console.log(
            `  ${step.rate} msg/s: crossing p50 ${step.crossing.p50} ms p99 ${step.crossing.p99} ms, staying p50 ${step.local.p50} ms p99 ${step.local.p99} ms; ` +
              `µs/message ${cost?.cpuMicrosPerMessage.join(' + ')}, load generator µs/message ${cost?.generatorCpuMicrosPerMessage}, PostgreSQL µs/message ${cost?.postgresCpuMicrosPerMessage}, transactions/message ${cost?.transactionsPerMessage}, writes/message ${cost?.writesPerMessage.join(' + ')}, Redis commands/message ${cost?.redisCommandsPerMessage} (publishes ${cost?.redisPublishesPerMessage}), Redis socket reads/message ${cost?.redisReadsPerMessage}, Redis µs/message ${cost?.redisCpuMicrosPerMessage}${loopText(loops)}`,
          );
        },
      ));
      steps = steps.map((step) => ({ ...step, ...costs.get(step.rate) }));
    } finally {
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  } finally {
    await db.drop();
  }
  for (const step of steps) {
    if (step.gaps || step.duplicates)
      problems.push(`conversations at ${step.rate} msg/s: ${step.gaps} missing, ${step.duplicates} repeated`);
    if (step.sendErrors)
      problems.push(`conversations at ${step.rate} msg/s: ${step.sendErrors} sends failed`);
  }
  if (!steps[0] || steps[0].delivered < steps[0].sent)
    problems.push(`conversations: the first step lost messages (${steps[0]?.delivered}/${steps[0]?.sent})`);
  printTable(
    'conversations across two instances (round trip to the other member, p50 / p99 ms)',
    [
      'msg/s',
      'crossing instances',
      'same instance',
      'delivered',
      'µs/message',
      'generator µs/message',
      'PostgreSQL µs/message',
      'transactions/message',
      'writes/message',
      'Redis cmds/message',
      'Redis reads/message',
      'Redis µs/message',
    ],
    steps.map((s) => [
      s.rate,
      `${s.crossing.p50} / ${s.crossing.p99}`,
      `${s.local.p50} / ${s.local.p99}`,
      `${s.delivered}/${s.sent}`,
      s.cpuMicrosPerMessage?.join(' + ') ?? '',
      s.generatorCpuMicrosPerMessage ?? '',
      s.postgresCpuMicrosPerMessage ?? '',
      s.transactionsPerMessage ?? '',
      s.writesPerMessage?.join(' + ') ?? '',
      s.redisCommandsPerMessage ?? '',
      s.redisReadsPerMessage ?? '',
      s.redisCpuMicrosPerMessage ?? '',
    ]),
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/conversations.json',
    `${JSON.stringify({ at: new Date().toISOString(), options, steps }, null, 2)}\n`,
  );
  return { problems };
}
