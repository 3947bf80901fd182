/**
 * `parley` as a person or a script runs it: `node bin/parley.js …` in a child process, with its own config folder
 * (PARLEY_CONFIG_DIR) and the server in PARLEY_URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/parley.js', import.meta.url));

export interface CliOptions {
  configDir: string;
  url?: string;
  /** Written to stdin, which is then closed (a piped password). */
  input?: string;
  env?: Record<string, string>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], options: CliOptions): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_CONFIG_DIR: options.configDir, ...options.env };
  for (const name of ['PARLEY_TOKEN', 'PARLEY_URL', 'DATABASE_URL', 'REDIS_URL']) {
    if (!options.env?.[name]) delete env[name];
  }
  if (options.url) env.PARLEY_URL = options.url;
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env });
  child.stdin?.end(options.input ?? '');
  return child;
}

/** Runs a command to its end. */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const child = start(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A command that keeps running (`tail`): what it has printed so far, and ways to wait for more. */
export interface RunningCli {
  readonly lines: readonly string[];
  readonly stderr: () => string;
  /** The first stdout line at index `from` or later that matches. */
  nextLine(match: (line: string) => boolean, from?: number, timeoutMs?: number): Promise<string>;
  /** Resolves once stderr contains `text`. */
  said(text: string, timeoutMs?: number): Promise<void>;
  /** The exit code, once it has exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnCli(args: string[], options: CliOptions): RunningCli {
  const child = start(args, options);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.on('data', (chunk) => {
    const parts = (partial + String(chunk)).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    wake();
  });
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
    wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(wake);

  function waitFor<T>(find: () => T | undefined, describe: () => string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${describe()}\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  }

  return {
    lines,
    stderr: () => stderr,
    nextLine: (match, from = 0, timeoutMs = 10_000) =>
      waitFor(
        () => lines.slice(from).find(match),
        () => `No matching line within ${timeoutMs} ms.`,
        timeoutMs,
      ),
    said: (text, timeoutMs = 10_000) =>
      waitFor(
        () => (stderr.includes(text) ? true : undefined),
        () => `"${text}" did not appear on stderr within ${timeoutMs} ms.`,
        timeoutMs,
      ).then(() => {}),
    exited,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
