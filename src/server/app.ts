import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { CredentialCache } from './auth/credential-cache.ts';
import { CredentialReads } from './auth/credential-reads.ts';
import { CurrentUsers } from './auth/current-users.ts';
import { OpenCredentials } from './auth/open-credentials.ts';
import { BackgroundWork } from './background.ts';
import type { Config } from './config.ts';
import { resolveDatabase } from './db/database.ts';
import { type Orm, openDatabase } from './db/orm.ts';
import { RecentUse } from './db/recent-use.ts';
import type { Deps } from './deps.ts';
import { publicUrlOf } from './http/public-url.ts';
import { createHttpApp } from './http/server.ts';
import type { Logger } from './logger.ts';
import { createMailer } from './mail/mailer.ts';
import { type EventBus, InProcessBus } from './realtime/bus.ts';
import { createInstanceStats } from './realtime/instance-stats.ts';
import { InProcessPresence, type Presence, RedisPresence } from './realtime/presence.ts';
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from './realtime/rate-limit.ts';
import { RedisBus } from './realtime/redis-bus.ts';
import { logConnectionTrouble } from './realtime/redis-calls.ts';
import { ActivityHub } from './services/chat/activity.ts';
import { createRoomStreams } from './services/chat/events.ts';
import { createRoomAppends } from './services/chat/group-commit.ts';
import { createReadPositions } from './services/chat/rooms.ts';
import { localImageStore } from './services/images/store.ts';
import { createUserEventGroups } from './services/notifications.ts';
import { startFriendPresence } from './services/presence.ts';
import { withTimeout } from './timeout.ts';

export interface App {
  deps: Deps;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Builds every dependency once, then serves HTTP and WebSocket on one port. */
/**
 * Connections the kernel may hold for the server to accept (capped by net.core.somaxconn). Node's default of 511
 * overflows when thousands of clients reconnect at once after a restart: the kernel then drops their handshakes,
 * and each waits out TCP's retransmission backoff (1, 3, 7, 15, 31 s…) before it is even seen.
 */
const acceptBacklog = 8_192;

export async function startApp(config: Config, log: Logger, clientDir: string | null): Promise<App> {
  const database = await resolveDatabase(config, log);
  const orm = await openDatabase(database.url, log);
  const fanout = connectFanout(config, log);
  const { bus, limiter, presence } = fanout;
  let sockets = () => 0;
  const roomStreams = createRoomStreams(orm, bus, log, config.roomStreamRecent, config.roomStreamCrowd);
  const instanceStats = createInstanceStats(
    fanout.instanceId,
    () => ({
      sockets: sockets(),
      people: presence.localCount(),
      busChannels: bus.listening(),
      roomStreams: roomStreams.size,
    }),
    fanout.redis && { client: fanout.redis, prefix: config.redisKeyPrefix },
    log,
  );
  const activity = new ActivityHub({ bus, presence, log });
  const userEvents = createUserEventGroups(bus);
  const { redis } = fanout;
  const currentUsers = new CurrentUsers(bus, orm);
  await currentUsers.ready();
  const credentialCache = new CredentialCache(bus);
  const recentUse = new RecentUse(orm, log);
  const openCredentials = new OpenCredentials(orm, bus, log);
  await credentialCache.ready();
  // Known once the server listens (PORT=0 picks a free one); links are made only after that.
  let listeningPort = config.port;
  const mailer = createMailer(config, log);
  const background = new BackgroundWork(log);
  const deps: Deps = {
    config,
    orm,
    bus,
    limiter,
    presence,
    instanceStats,
    roomStreams,
    activity,
    userEvents,
    currentUsers,
    credentialCache,
    credentialReads: new CredentialReads(orm),
    recentUse,
    readPositions: createReadPositions(orm),
    roomAppends: createRoomAppends(orm),
    openCredentials,
    log,
    background,
    mailer,
    images: localImageStore(config.dataDir),
    publicUrl: publicUrlOf(config, () => listeningPort),
    redis,
  };
  const stopFriendPresence = startFriendPresence(deps);
  const http = createHttpApp(deps, clientDir);
  sockets = () => http.wss.clients.size;
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen({ port: config.port, host: config.host, backlog: acceptBacklog }, resolve);
  });
  const { port } = http.server.address() as AddressInfo;
  listeningPort = port;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await http.drain(config.shutdownDeadlineMs);
      // Presence first: it announces who left with this instance, and friend presence still hears it.
      await presence.close();
      await stopFriendPresence();
      await instanceStats.close();
      currentUsers.close();
      credentialCache.close();
      openCredentials.close();
      // The closed sockets' last seen, and the last calls' token use.
      await recentUse.flush();
      await withTimeout(background.settled(), config.shutdownDeadlineMs).catch(() =>
        log.warn('Mails still being sent at shutdown were dropped'),
      );
      mailer.close();
      await fanout.close();
      await closePool(orm, log);
      await database.stop();
    })();
    return closing;
  };
  return { deps, url: `http://127.0.0.1:${port}`, port, close };
}

/** A query the drain deadline cut may still hold a connection: the pool is not waited for past a moment. */
const poolCloseMs = 1_000;

async function closePool(orm: Orm, log: Logger): Promise<void> {
  await withTimeout(orm.close(), poolCloseMs).catch((cause: unknown) =>
    log.warn(
      'The database pool did not close in time (a query still running?): its connections are dropped',
      {
        cause,
      },
    ),
  );
}

interface Fanout {
  instanceId: string;
  bus: EventBus;
  limiter: RateLimiter;
  presence: Presence;
  /** The command connection, when Redis is configured. */
  redis: Redis | null;
  close(): Promise<void>;
}

/** In-process for a single node; Redis when REDIS_URL is set, so several instances act as one. */
function connectFanout(config: Config, log: Logger): Fanout {
  if (!config.redisUrl) {
    const bus = new InProcessBus();
    return {
      instanceId: randomUUID(),
      bus,
      limiter: new MemoryRateLimiter(),
      presence: new InProcessPresence(bus),
      redis: null,
      close: async () => {},
    };
  }
  const commands = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  // The bus resubscribes by itself, so that it knows when to catch up what it missed meanwhile.
  const subscriber = new Redis(config.redisUrl, { autoResubscribe: false });
  logConnectionTrouble(commands, log, 'command');
  logConnectionTrouble(subscriber, log, 'subscriber');
  const bus = new RedisBus(commands, subscriber, config.redisKeyPrefix, log);
  return {
    instanceId: bus.instanceId,
    bus,
    limiter: new RedisRateLimiter(commands, config.redisKeyPrefix, log),
    presence: new RedisPresence(bus, commands, config.redisKeyPrefix, bus.instanceId, log),
    redis: commands,
    close: () => bus.close(),
  };
}
