/**
 * Child processes for the benchmarks: each one pinned to its own core where `taskset` exists, so the server and
 * the load generator do not steal each other's time, and the server's CPU read from /proc.
 */
import { type ChildProcess, execFileSync, type StdioOptions, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const hasTaskset = existsSync('/usr/bin/taskset') || existsSync('/bin/taskset');
const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Core 0 for the server under test, core 1 for the load generator (when the machine has two). */
export const serverCpu = 0;
export const loadCpu = cpus().length > 1 ? 1 : 0;

export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  output: string[];
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Copies what the process prints, both streams, to `<dir>/<name>-<pid>.log`: a server's own diagnostics (what
 * `--server-node-args=--trace-gc-nvp` prints, say), which the bench otherwise keeps only the last lines of.
 */
export function copyOutput(proc: NodeProcess, dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  const file = createWriteStream(join(dir, `${name}-${proc.pid}.log`));
  proc.child.stdout?.pipe(file, { end: false });
  proc.child.stderr?.pipe(file, { end: false });
  void proc.exited.then(() => file.end());
}

/**
 * Runs a script on `cpu`, with an IPC channel when asked: a TypeScript file, or any with TypeScript `preload` modules,
 * under tsx (the preloads load after it); a JavaScript file without them (the server's build) as it is.
 */
export function spawnNode(
  script: string,
  options: {
    cpu: number;
    env?: NodeJS.ProcessEnv;
    ipc?: boolean;
    args?: string[];
    nodeArgs?: string[];
    preload?: string[];
  },
): NodeProcess {
  const preloads = (options.preload ?? []).flatMap((module) => ['--import', module]);
  const typescript = script.endsWith('.ts') || preloads.length > 0;
  const nodeArgs = [
    ...(options.nodeArgs ?? []),
    ...(typescript ? ['--import', 'tsx'] : []),
    ...preloads,
    script,
    ...(options.args ?? []),
  ];
  const [command, args] = hasTaskset
    ? ['taskset', ['-c', String(options.cpu), process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const stdio: StdioOptions = options.ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'];
  const child = spawn(command as string, args as string[], {
    cwd: root,
    env: options.env ?? process.env,
    stdio,
  });
  const output: string[] = [];
  const keep = (chunk: unknown) => {
    output.push(...String(chunk).split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 200));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid ?? 0,
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The bare `ws` relay that the same-run baselines run against (bench/baseline/server.ts), on the server's core, once
 * it listens, and its port. Given a database, the durable relay: each message stored and acknowledged first.
 */
export async function startRelay(databaseUrl?: string): Promise<{ relay: NodeProcess; port: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  const relay = spawnNode('bench/baseline/server.ts', { cpu: serverCpu, env });
  try {
    const [, port] = await waitForLine(relay, /listening (\d+)/);
    return { relay, port: Number(port) };
  } catch (error) {
    await relay.stop();
    throw error;
  }
}

/** Resolves with the first stdout line that matches, or fails when the process exits or time runs out. */
export function waitForLine(
  proc: NodeProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`no line matching ${pattern} within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: unknown) => {
      for (const line of String(chunk).split('\n')) {
        const match = line.match(pattern);
        if (match) {
          clearTimeout(timer);
          proc.child.stdout?.off('data', onData);
          resolve(match);
          return;
        }
      }
    };
    function fail(why: string) {
      clearTimeout(timer);
      reject(new Error(`${why}:\n${proc.output.join('\n')}`));
    }
    proc.child.stdout?.on('data', onData);
    proc.exited.then((code) => fail(`exited (${code}) early`));
  });
}

/** CPU time (user + system, all threads) the process has used so far, in microseconds. */
export function cpuMicros(pid: number): number {
  const { user, system } = cpuSplitMicros(pid);
  return user + system;
}

/**
 * CPU time so far of every PostgreSQL process on this machine (backends, WAL writer, checkpointer), in
 * microseconds: the database's part of a step, where the machine runs nothing else. A process that ends between
 * two readings takes its time with it; a scenario's pooled connections last the whole step.
 */
export function postgresCpuMicros(): number {
  let micros = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        micros += cpuMicros(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return micros;
}

/**
 * The process's CPU time so far, in microseconds, in user space and in the kernel (system calls, the network);
 * with `thread`, of that thread only (the main thread's id is the process's).
 */
export function cpuSplitMicros(pid: number, thread?: number): { user: number; system: number } {
  const stat = readFileSync(thread ? `/proc/${pid}/task/${thread}/stat` : `/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const micros = (ticks: string | undefined) => (Number(ticks) * 1_000_000) / clockTicksPerSecond;
  return { user: micros(fields[11]), system: micros(fields[12]) };
}

/**
 * Time on a CPU in microseconds, as the scheduler counts it (to the nanosecond; /proc/PID/stat counts 10 ms
 * ticks, a tenth of a low fan-out step's whole cost): of one thread, or summed over the process's threads. Null
 * where the kernel keeps no such count.
 */
function onCpuMicros(pid: number, thread?: number): number | null {
  try {
    const threads = thread ? [thread] : readdirSync(`/proc/${pid}/task`).map(Number);
    let nanos = 0;
    let counted = 0;
    for (const tid of threads) {
      try {
        nanos += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        counted++;
      } catch {
        // The thread ended while being read, or the kernel keeps no such count.
      }
    }
    return counted > 0 ? nanos / 1000 : null;
  } catch {
    return null;
  }
}

export interface ProcessUsage {
  /** CPU in user space and in the kernel, all threads, in microseconds (counted in 10 ms ticks). */
  user: number;
  system: number;
  /** All threads' CPU to the nanosecond where the kernel counts it (else `user + system`). */
  onCpu: number;
  /** CPU of the main thread alone (the rest: V8's helper threads, libuv's), to the nanosecond where counted. */
  mainThread: number;
  /** write/writev system calls. */
  writes: number;
}

/** The process's CPU (split as `ProcessUsage` says) and write calls so far, or since `before`. */
export function processUsage(pid: number, before?: ProcessUsage): ProcessUsage {
  const all = cpuSplitMicros(pid);
  const ticks = ({ user, system }: { user: number; system: number }) => user + system;
  const now = {
    user: all.user,
    system: all.system,
    onCpu: onCpuMicros(pid) ?? ticks(all),
    mainThread: onCpuMicros(pid, pid) ?? ticks(cpuSplitMicros(pid, pid)),
    writes: writeCalls(pid),
  };
  if (!before) return now;
  return {
    user: now.user - before.user,
    system: now.system - before.system,
    onCpu: now.onCpu - before.onCpu,
    mainThread: now.mainThread - before.mainThread,
    writes: now.writes - before.writes,
  };
}

/**
 * The write system calls the process has made (write, writev: to sockets, here), from /proc: a count the machine's
 * load does not change, where its CPU time does.
 */
export function writeCalls(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/io`, 'utf8').match(/syscw: (\d+)/)?.[1] ?? 0);
}

/** Resident memory of the process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  return kb * 1024;
}

/**
 * Runs a load generator (`bench/load/<name>`) on its own core with `request` and stops it once it has answered;
 * `onProgress` hears what it reports on the way, with the process to answer it.
 */
export async function runLoad<Answer>(
  script: string,
  request: unknown,
  onProgress: (progress: unknown, load: NodeProcess) => void | Promise<void> = () => {},
): Promise<Answer> {
  const load = spawnNode(script, { cpu: loadCpu, ipc: true });
  try {
    return await ask<Answer>(load, request, (progress) => void onProgress(progress, load));
  } finally {
    await load.stop();
  }
}

/** Asks a load-generator child to run and waits for its one answer. */
export function ask<Answer>(
  proc: NodeProcess,
  message: unknown,
  onProgress: (progress: unknown) => void = () => {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const onMessage = (answer: { error?: string; progress?: unknown } & Answer) => {
      if (answer.progress !== undefined) return onProgress(answer.progress);
      proc.child.off('message', onMessage);
      if (answer.error) reject(new Error(answer.error));
      else resolve(answer);
    };
    proc.child.on('message', onMessage);
    proc.exited.then((code) =>
      reject(new Error(`load generator exited (${code}):\n${proc.output.join('\n')}`)),
    );
    proc.child.send(message as object);
  });
}
