/**
 * A newcomer clones Parley and runs `npm start` with nothing configured: no DATABASE_URL, no Redis. The server
 * must start on an embedded PostgreSQL under its data folder, and keep accounts across a restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createParleyClient } from '../src/sdk/index.ts';
import { freePort } from '../src/server/db/database.ts';
import { uniqueUsername } from './helpers/users.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

let dataDir: string;
let running: { child: ChildProcess; output: string[] } | null = null;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'parley-zero-setup-'));
});

afterAll(async () => {
  if (running) await stop(running.child, 'SIGKILL');
  await stopLeftoverPostgres();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

/** `npm start` with only a port and a data folder: DATABASE_URL and REDIS_URL are removed from the environment. */
async function startParley(): Promise<string> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), PARLEY_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['bin/parley-server.js'], { cwd: root, env });
  const output: string[] = [];
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  running = { child, output };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Parley exited with ${child.exitCode}:\n${output.join('')}`);
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return url;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Parley did not answer /healthz within 120 s:\n${output.join('')}`);
}

/** Sends `signal` and waits for the exit; SIGKILL if it has not exited after 20 s. Returns the exit code. */
async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  running = null;
  return child.exitCode;
}

/** If the server died without stopping its embedded PostgreSQL, stop that one (by the pid it recorded). */
async function stopLeftoverPostgres(): Promise<void> {
  const pidFile = path.join(dataDir, 'postgres', 'data', 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 100 && existsSync(pidFile); i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

it('starts with nothing configured, and keeps my account across a restart', async () => {
  const username = uniqueUsername('newcomer');
  const password = 'correct horse battery';

  const firstUrl = await startParley();
  const me = await createParleyClient({ url: firstUrl }).auth.register.mutate({
    username,
    email: `${username}@example.com`,
    password,
  });
  expect(me.username).toBe(username);
  expect(await stop(running!.child, 'SIGTERM')).toBe(0);
  expect(existsSync(path.join(dataDir, 'postgres', 'data', 'PG_VERSION'))).toBe(true);

  const secondUrl = await startParley();
  const again = await createParleyClient({ url: secondUrl }).auth.login.mutate({ login: username, password });

  expect(again).toEqual(me);
  expect(await stop(running!.child, 'SIGTERM')).toBe(0);
}, 300_000);

it('a port already in use is said in one line, not a stack trace', async () => {
  const holder = createServer();
  const port = await freePort();
  await new Promise<void>((resolve) => holder.listen(port, resolve));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), PARLEY_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    const child = spawn(process.execPath, ['bin/parley-server.js'], { cwd: root, env });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      `Port ${port} is already in use (is Parley already running?). Stop that program, or choose another port: PORT=${port + 1} npm start`,
    ]);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
}, 60_000);
