/**
 * Parley as a child process on a fixed port, on a database and Redis prefix that outlive it: a test can crash it
 * (SIGKILL) or stop it gracefully (SIGTERM) and start it again where it was.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testRedisUrl } from './server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcessOptions {
  port: number;
  databaseUrl: string;
  redisPrefix: string;
  env?: Record<string, string>;
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Its last lines of output (warnings and errors at the default log level). */
  output: string[];
  /**
   * Sends `signal` and waits for the exit; SIGKILL after `graceMs` if it is still running. Resolves with the exit
   * code (null when a signal ended it).
   */
  stop(signal: 'SIGKILL' | 'SIGTERM', graceMs?: number): Promise<number | null>;
}

const keptLines = 200;

export async function spawnServer(
  options: ServerProcessOptions,
  readyTimeoutMs = 20_000,
): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: testRedisUrl,
    REDIS_KEY_PREFIX: options.redisPrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...options.env,
  };
  // stdin stays open while this process lives: the server exits when it closes.
  const child = spawn(process.execPath, ['bin/parley-server.js', 'headless'], {
    cwd: root,
    env,
    stdio: 'pipe',
  });
  const output: string[] = [];
  const keep = (chunk: unknown) => {
    output.push(...String(chunk).split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - keptLines));
  };
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${readyTimeoutMs} ms`), readyTimeoutMs);
    const early = (code: number | null, signal: string | null) =>
      fail(`exited (${code ?? signal}) before it was ready`);
    function fail(why: string) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`Parley ${why}:\n${output.join('\n')}`));
    }
    child.stdout?.on('data', (chunk) => {
      if (!String(chunk).includes(`listening ${options.port}`)) return keep(chunk);
      clearTimeout(timer);
      child.off('exit', early);
      resolve();
    });
    child.once('exit', early);
  });
  return {
    url: `http://127.0.0.1:${options.port}`,
    pid: child.pid ?? 0,
    output,
    stop: (signal, graceMs = 10_000) => stop(child, exited, signal, graceMs),
  };
}

async function stop(
  child: ChildProcess,
  exited: Promise<number | null>,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
