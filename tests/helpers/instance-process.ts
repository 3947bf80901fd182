/**
 * One more Parley instance of a deployment, in a process of its own, so that a test can kill it outright
 * (SIGKILL: no shutdown code runs) the way a crash or a lost machine would.
 *
 * In the test: `const instance = await spawnInstance(first.databaseUrl, redisPrefix)`, later `instance.kill()`.
 * Run directly (`node --import tsx instance-process.ts <databaseUrl> <redisPrefix> <envJson>`), it starts the
 * instance and prints `PARLEY_INSTANCE_URL=<url>`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const readyLine = 'PARLEY_INSTANCE_URL=';

export interface SpawnedInstance {
  url: string;
  /** Kills the process at once, without letting it close anything. */
  kill(): Promise<void>;
}

export function spawnInstance(
  databaseUrl: string,
  redisPrefix: string,
  env: Record<string, string> = {},
): Promise<SpawnedInstance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), databaseUrl, redisPrefix, JSON.stringify(env)],
    // stdin stays open while this process lives: the instance exits when it closes, so none is left behind.
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`The instance did not start:\n${output}`)), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('exit', (code) => fail(new Error(`The instance exited with ${code}:\n${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith(readyLine));
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: line.slice(readyLine.length).trim(), kill: () => killed(child) });
    });
  });
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function main(databaseUrl: string, redisPrefix: string, env: Record<string, string>) {
  const { startTestServer } = await import('./server.ts');
  const instance = await startTestServer({ databaseUrl, redisPrefix, env });
  process.stdout.write(`${readyLine}${instance.url}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [databaseUrl, redisPrefix, env] = process.argv.slice(2);
  if (!databaseUrl || !redisPrefix) throw new Error('Usage: instance-process.ts <databaseUrl> <redisPrefix>');
  await main(databaseUrl, redisPrefix, JSON.parse(env ?? '{}') as Record<string, string>);
}
