/**
 * Scenario 1, fan-out: N subscribers of the public room, messages sent at rising rates; per step the deliveries a
 * second, latency from the send call to each receipt, and the server's CPU per delivery. The same sweep runs in the
 * same run against a bare `ws` relay (bench/baseline/server.ts), step by step in turns with Parley's, so every
 * figure is also a ratio of two measurements taken moments apart. Where a size asks for it, a third side takes its
 * turns too: the durable relay, the bare one storing and acknowledging each message first.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { closeLoopWindow, loopLine, loopSummary, loopWatchFile, openLoopWindow } from './lib/loop-window.ts';
import { benchDatabase, publicRoomId, seedUsers, startParley } from './lib/parley.ts';
import { startRelay } from './lib/processes.ts';
import { SteppedLoad } from './lib/stepped-load.ts';
import { printTable } from './lib/table.ts';
import type { FanoutAnswer, FanoutRequest, FanoutStep } from './load/fanout-load.ts';

export interface FanoutSize {
  subscribers: number;
  /** Messages a second, one step each. */
  rates: number[];
  /**
   * Also against the durable relay: where a room is small, a message's own cost (storing it, acknowledging it) is
   * a large part of each delivery's, which the bare relay does not pay (docs/performance.md, entry 78); where it is
   * large, storing it comes before every reader's copy, which sets the latency any server that cannot lose a
   * message reaches on this host (entry 90).
   */
  durableRelay?: boolean;
}

export interface FanoutOptions {
  sizes: FanoutSize[];
  stepMs: number;
  /**
   * The warm-up step lasts until this many sends, within `warmUpMaxMs` (and at least a step): sent one at a time,
   * Parley's send path takes thousands of sends to be optimised, and after 1,000 the measured steps still paid
   * for V8 compiling it (docs/performance.md, entry 75).
   */
  warmUpSends: number;
  warmUpMaxMs: number;
  /** Extra node flags for the Parley server, e.g. `--cpu-prof`. */
  serverNodeArgs?: string[];
  /**
   * Parley's event loop and GC pauses in each of its steps (`bench/lib/loop-watch.ts`). Its timers cost the server
   * ~25 ms of CPU a second, which the low steps' CPU per delivery then carries (2,000/s: 23 µs against ~10).
   */
  loopWatch?: boolean;
}

export interface FanoutRun {
  system: 'parley' | 'baseline' | 'durable';
  subscribers: number;
  connectSeconds: number;
  /** The unmeasured first step (see `sweep`); undefined if the server did not get through it. */
  warmUp: FanoutStep | undefined;
  steps: FanoutStep[];
}

export const fullFanout: FanoutOptions = {
  stepMs: 5_000,
  warmUpSends: 10_000,
  warmUpMaxMs: 50_000,
  sizes: [
    { subscribers: 100, rates: [20, 50, 100, 200, 300, 500], durableRelay: true },
    { subscribers: 1_000, rates: [2, 5, 10, 20, 35, 50, 65, 80], durableRelay: true },
    { subscribers: 5_000, rates: [1, 2, 4, 7, 10, 14] },
  ],
};

export const quickFanout: FanoutOptions = {
  stepMs: 1_000,
  warmUpSends: 0,
  warmUpMaxMs: 1_000,
  sizes: [{ subscribers: 100, rates: [5, 20], durableRelay: true }],
};

function printStep(label: string, step: FanoutStep): void {
  console.log(
    `  ${label}: ${step.deliveriesPerSecond} deliveries/s  p50 ${step.p50} ms  p99 ${step.p99} ms  ${step.cpuMicrosPerDelivery} µs/delivery (kernel ${step.kernelMicrosPerDelivery}, main thread ${step.mainThreadMicrosPerDelivery}, ${step.writesPerDelivery} writes); a message's first receipt ${step.firstReceiptP50} ms (worst ${step.firstReceiptMax}), its last ${step.spreadP50} ms after (worst ${step.spreadMax}); generator ${step.generatorMicrosPerDelivery} µs/delivery`,
  );
}

type FanoutLoad = SteppedLoad<FanoutRequest, FanoutStep, FanoutAnswer>;

function fanoutLoad(request: FanoutRequest, label: string): FanoutLoad {
  let stepsRun = 0;
  return new SteppedLoad('bench/load/fanout-load.ts', request, (step: FanoutStep) =>
    printStep(stepsRun++ === 0 ? `${label} (warm-up, not counted)` : label, step),
  );
}

/** The warm-up's rate: the middle of the sweep, busy enough to have V8 optimise the whole path. */
const warmUpRate = (rates: readonly number[]) => rates[Math.floor(rates.length / 2)] ?? 1;

/** How long the warm-up step runs at `rate` to make `warmUpSends` sends, within its bounds. */
const warmUpMs = (rate: number, options: FanoutOptions) =>
  Math.min(options.warmUpMaxMs, Math.max(options.stepMs, Math.round((options.warmUpSends * 1000) / rate)));

/** A generator's answer as a run: its first step was the warm-up. */
function runOf(system: FanoutRun['system'], subscribers: number, answer: FanoutAnswer): FanoutRun {
  const [warmUp, ...steps] = answer.steps;
  return { system, subscribers, connectSeconds: answer.connectSeconds, warmUp, steps };
}

/** One size's runs: the bare relay's, Parley's, and the durable relay's where the size asks for it. */
interface SizeRuns {
  base: FanoutRun;
  ours: FanoutRun;
  durable: FanoutRun | null;
}

/**
 * One size's sweep against the bare relay and Parley together (and the durable relay where the size asks): every
 * server up, each with its subscribers connected, taking turns at each step (each step's order rotated by one), so
 * a change in the machine over the sweep (the kernel's cost per loopback write moves by half between runs) weighs
 * on every side of each step's ratios. Each side first runs an unmeasured step at the sweep's middle rate: the first
 * measured steps otherwise carried V8 compiling Parley's send path on its helper threads (several µs per delivery
 * off the main thread; docs/performance.md, entry 42), which the relay's few lines never need. Its deliveries are
 * still checked.
 */
async function sweep(size: FanoutSize, options: FanoutOptions): Promise<SizeRuns> {
  const { relay, port: relayPort } = await startRelay();
  const db = await benchDatabase();
  let durable: Awaited<ReturnType<typeof startRelay>> | null = null;
  const loads: FanoutLoad[] = [];
  try {
    if (size.durableRelay) durable = await startRelay(db.url);
    const watchFile = options.loopWatch ? loopWatchFile(`fanout-${size.subscribers}`) : undefined;
    const server = await startParley({
      databaseUrl: db.url,
      nodeArgs: options.serverNodeArgs,
      loopWatchFile: watchFile,
    });
    try {
      const [sender, ...subscribers] = await seedUsers(db, size.subscribers + 1);
      const rates = [warmUpRate(size.rates), ...size.rates];
      const common = {
        rates,
        stepMs: options.stepMs,
        warmUpMs: warmUpMs(rates[0]!, options),
        giveUpP99Ms: 2_000,
      };
      const relayLoad = (port: number, pid: number, label: string) =>
        fanoutLoad(
          {
            ...common,
            kind: 'baseline',
            wsUrl: `ws://127.0.0.1:${port}`,
            roomId: 1,
            subscribers: size.subscribers,
            senderToken: null,
            serverPid: pid,
          },
          `${label}, ${size.subscribers} subscribers`,
        );
      const bare = relayLoad(relayPort, relay.pid, 'bare ws');
      loads.push(bare);
      await bare.ready();
      const stored = durable && relayLoad(durable.port, durable.relay.pid, 'durable relay');
      if (stored) {
        loads.push(stored);
        await stored.ready();
      }
      const ours = fanoutLoad(
        {
          ...common,
          kind: 'parley',
          wsUrl: `${server.url.replace('http', 'ws')}/trpc`,
          roomId: await publicRoomId(db),
          subscribers: subscribers.map((s) => s.token),
          senderToken: sender!.token,
          serverPid: server.proc.pid,
        },
        `Parley, ${size.subscribers} subscribers`,
      );
      loads.push(ours);
      await ours.ready();
      const pid = server.proc.pid;
      const ourStep = async () => {
        if (watchFile) openLoopWindow([pid]);
        await ours.step();
        if (watchFile) {
          const [report] = await closeLoopWindow([{ pid, file: watchFile }]);
          console.log(`    Parley's loop: ${loopLine(loopSummary(report ?? null))}`);
        }
      };
      const sides = [() => bare.step(), ourStep, ...(stored ? [() => stored.step()] : [])];
      for (const [index] of rates.entries()) {
        for (const [turn] of sides.entries()) await sides[(index + turn) % sides.length]!();
      }
      return {
        base: runOf('baseline', size.subscribers, await bare.finish()),
        ours: runOf('parley', size.subscribers, await ours.finish()),
        durable: stored && runOf('durable', size.subscribers, await stored.finish()),
      };
    } finally {
      await Promise.all(loads.map((load) => load.finish().catch(() => {})));
      await server.stop();
    }
  } finally {
    await relay.stop();
    await durable?.relay.stop();
    await db.drop();
  }
}

/** CPU per delivery and, in brackets, its kernel part: the loopback writes, which both servers pay once per delivery. */
const cpuOf = (step: FanoutStep) => `${step.cpuMicrosPerDelivery} (${step.kernelMicrosPerDelivery})`;

/** Parley beside a baseline of the same run, step by step: latency, CPU per delivery, and the ratio of the two CPUs. */
function printBeside(
  title: string,
  size: FanoutSize,
  ours: FanoutRun,
  base: FanoutRun,
  baseName: string,
): void {
  const rows = size.rates.map((rate) => {
    const b = base.steps.find((s) => s.rate === rate);
    const p = ours.steps.find((s) => s.rate === rate);
    const ratio = b && p ? (p.cpuMicrosPerDelivery / b.cpuMicrosPerDelivery).toFixed(2) : '';
    return [
      rate * size.subscribers,
      p ? `${p.p50} / ${p.p99}` : 'saturated',
      p ? cpuOf(p) : '',
      b ? `${b.p50} / ${b.p99}` : 'saturated',
      b ? cpuOf(b) : '',
      ratio,
    ];
  });
  printTable(title, ['deliveries/s', 'Parley', 'µs', baseName, 'µs', 'CPU ratio'], rows);
}

/** The highest step whose p99 stayed within `limitMs` with nothing lost. */
function bestStep(steps: FanoutStep[], limitMs: number): FanoutStep | undefined {
  return steps.filter((s) => s.p99 <= limitMs && s.delivered >= s.expected).at(-1);
}

export async function runFanout(options: FanoutOptions): Promise<{ runs: FanoutRun[]; problems: string[] }> {
  const runs: FanoutRun[] = [];
  const problems: string[] = [];
  for (const size of options.sizes) {
    console.log(`\nfan-out: ${size.subscribers} subscribers`);
    const { base, ours, durable } = await sweep(size, options);
    runs.push(base, ours, ...(durable ? [durable] : []));
    printBeside(
      `fan-out, ${size.subscribers} subscribers (latency p50 / p99 in ms, server CPU µs per delivery, of which in the kernel)`,
      size,
      ours,
      base,
      'bare ws',
    );
    if (durable) {
      printBeside(
        `fan-out, ${size.subscribers} subscribers, against the durable relay (each message stored and acknowledged, then relayed)`,
        size,
        ours,
        durable,
        'durable relay',
      );
    }
    const bestOurs = bestStep(ours.steps, 50);
    const bestBase = bestStep(base.steps, 50);
    console.log(
      `  highest step with p99 ≤ 50 ms: Parley ${bestOurs ? bestOurs.deliveriesPerSecond : 'none'}, bare ws ${bestBase ? bestBase.deliveriesPerSecond : 'none'}`,
    );
    for (const step of ours.warmUp ? [ours.warmUp, ...ours.steps] : ours.steps) {
      if (step.duplicates || step.gaps)
        problems.push(
          `${size.subscribers} subscribers at ${step.rate} msg/s: ${step.duplicates} repeated, ${step.gaps} missing`,
        );
      if (step.sendErrors)
        problems.push(
          `${size.subscribers} subscribers at ${step.rate} msg/s: ${step.sendErrors} sends failed`,
        );
    }
    const first = ours.warmUp;
    if (!first || first.delivered < first.expected)
      problems.push(
        `${size.subscribers} subscribers: the first step lost deliveries (${first?.delivered}/${first?.expected})`,
      );
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/fanout.json',
    `${JSON.stringify({ at: new Date().toISOString(), options, runs }, null, 2)}\n`,
  );
  return { runs, problems };
}
