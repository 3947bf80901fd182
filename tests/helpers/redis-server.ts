import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../src/server/db/database.ts';
import { pause } from './sockets.ts';

/**
 * A Redis of the test's own, on a free port, that it may stop, start again and cut connections of — never the
 * machine's shared one, which other test files use at the same time.
 */
export interface OwnRedis {
  url: string;
  /** Runs a command on this Redis (CLIENT KILL, say). */
  command(...args: string[]): Promise<unknown>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let server: ChildProcess | null = null;
  const admin = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => {}); // it is down on purpose at times; commands still fail loudly

  const start = async () => {
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    for (let attempt = 0; attempt < 100; attempt++) {
      const up = await admin.ping().then(
        () => true,
        () => false,
      );
      if (up) return;
      await pause(50);
    }
    throw new Error(`redis-server on port ${port} did not start`);
  };
  const stop = async () => {
    const running = server;
    server = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    command: (name, ...args) => admin.call(name, ...args),
    stop,
    start,
    async close() {
      await stop();
      admin.disconnect();
    },
  };
}
