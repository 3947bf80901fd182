/**
 * Stopping an instance with SIGTERM, as `docker stop` or a rolling deploy does: what was already asked is answered,
 * open sockets are told to reconnect elsewhere (close code 1012), nobody is left looking online, and the process
 * exits 0 before the orchestrator would have to kill it.
 */
import { expect, it } from 'vitest';
import { connectParley } from '../src/sdk/index.ts';
import { freePort } from '../src/server/db/database.ts';
import { socketCloseCodes } from '../src/shared/socket.ts';
import { chattyLimits, openRoom, publicRoomId, received, say } from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import { rawMutation } from './helpers/http.ts';
import { processSuite } from './helpers/process-suite.ts';
import type { ServerProcess } from './helpers/server-process.ts';
import { closed, eventually, pause, socketUrl, upgrade } from './helpers/sockets.ts';
import { type Account, registerUser, roomyLimits } from './helpers/users.ts';

const suite = processSuite();

async function startServer(env: Record<string, string> = {}, port?: number): Promise<ServerProcess> {
  return suite.spawn(port ?? (await freePort()), { ...roomyLimits, ...env });
}

/** Holds `person`'s row locked, so that a profile update waits until `release()`: a slow call, for real. */
async function lockProfileOf(
  person: Account,
): Promise<{ waiting(): Promise<boolean>; release(): Promise<void> }> {
  const locker = await connectDatabase(suite.databaseUrl);
  await locker.query('begin');
  await locker.query('select id from users where id = $1 for update', [person.me.id]);
  return {
    async waiting() {
      const { rows } = await suite.db.query(
        "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      return rows.length > 0;
    },
    async release() {
      await locker.query('commit');
      await locker.end();
    },
  };
}

async function onlineKeys(): Promise<string[]> {
  return suite.redis.keys(`${suite.redisPrefix}presence:*`);
}

async function untilTrue(probe: () => Promise<boolean>, what: string): Promise<void> {
  let seen = false;
  const poll = async () => {
    while (!seen) {
      seen = await probe();
      if (!seen) await pause(20);
    }
  };
  void poll();
  await eventually(() => (seen ? true : undefined), what, 10_000);
}

it('answers the call in flight, tells open sockets to reconnect, forgets who was online here, and exits 0', async () => {
  const server = await startServer();
  const alice = await registerUser(server);
  const opened = await upgrade(socketUrl(server.url), { cookie: alice.cookie });
  if (!opened.socket) throw new Error(`Alice's socket was refused (${opened.status})`);
  const closeCode = closed(opened.socket);
  await untilTrue(async () => (await onlineKeys()).length > 0, 'Alice to be online in Redis');

  const lock = await lockProfileOf(alice);
  const update = rawMutation(
    server.url,
    'users.updateProfile',
    { displayName: 'Alice, still here' },
    {
      cookie: alice.cookie,
    },
  );
  await untilTrue(lock.waiting, 'the profile update to wait on the lock');

  const stopping = server.stop('SIGTERM', 20_000);
  expect(await closeCode).toBe(socketCloseCodes.serviceRestart);
  await pause(300); // the call is still in flight after the sockets were told to go
  await lock.release();

  const answer = await update;
  expect(answer.error).toBeNull();
  expect(answer.data).toMatchObject({ displayName: 'Alice, still here' });
  expect(await stopping).toBe(0);
  expect(await onlineKeys()).toEqual([]);
  expect(await suite.redis.hgetall(`${suite.redisPrefix}instance-stats`)).toEqual({});
});

it('cuts a call that outlasts the shutdown deadline, and still exits 0 rather than waiting to be killed', async () => {
  const server = await startServer({ SHUTDOWN_DEADLINE_SECONDS: '1' });
  const bob = await registerUser(server);
  const lock = await lockProfileOf(bob);
  const update = rawMutation(
    server.url,
    'users.updateProfile',
    { displayName: 'Bob' },
    { cookie: bob.cookie },
  );
  const outcome = update.then(
    () => 'answered',
    () => 'cut',
  );
  await untilTrue(lock.waiting, 'the profile update to wait on the lock');

  // Killed after 20 s: an exit code of 0 means the server gave up on the call by itself.
  expect(await server.stop('SIGTERM', 20_000)).toBe(0);
  expect(await outcome).toBe('cut');
  await lock.release();
  expect(await onlineKeys()).toEqual([]);
});

it('moves a reader of the stopping instance to the next one, and the reader misses nothing', async () => {
  // The load balancer's next instance takes over the same address.
  const port = await freePort();
  const first = await startServer(chattyLimits, port);
  const [reader, writer] = await Promise.all([registerUser(first), registerUser(first)]);
  const closes: (number | undefined)[] = [];
  const readerTab = connectParley({
    url: first.url,
    cookie: reader.cookie,
    onSocketClose: (c) => closes.push(c),
  });
  const writerTab = connectParley({ url: first.url, cookie: writer.cookie });
  try {
    const roomId = await publicRoomId(readerTab.client);
    const events = await openRoom(readerTab.client, roomId);
    await say(writerTab.client, roomId, 'Before the deploy');
    await received(events, 1);

    expect(await first.stop('SIGTERM', 20_000)).toBe(0);
    expect(closes).toContain(socketCloseCodes.serviceRestart);
    await startServer(chattyLimits, port);
    await say(writerTab.client, roomId, 'First on the new instance');
    await say(writerTab.client, roomId, 'After the deploy');

    const seen = await received(events, 3, 0, 15_000);
    expect(seen.map((event) => event.data.message.body)).toEqual([
      'Before the deploy',
      'First on the new instance',
      'After the deploy',
    ]);
  } finally {
    await Promise.all([readerTab.close(), writerTab.close()]);
  }
});
