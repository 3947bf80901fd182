import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { resolveDatabase } from './db/database.ts';
import { openDatabase } from './db/orm.ts';
import type { Deps } from './deps.ts';
import { createHttpApp } from './http/server.ts';
import type { Logger } from './logger.ts';
import { type EventBus, InProcessBus } from './realtime/bus.ts';
import { InProcessPresence, type Presence, RedisPresence } from './realtime/presence.ts';
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from './realtime/rate-limit.ts';
import { RedisBus } from './realtime/redis-bus.ts';
import { startFriendPresence } from './services/presence.ts';

export interface App {
  deps: Deps;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Builds every dependency once, then serves HTTP and WebSocket on one port. */
export async function startApp(config: Config, log: Logger, clientDir: string | null): Promise<App> {
  const database = await resolveDatabase(config, log);
  const orm = await openDatabase(database.url);
  const { bus, limiter, presence, closeRedis } = connectFanout(config, log);
  const deps: Deps = { config, orm, bus, limiter, presence, log };
  const stopFriendPresence = startFriendPresence(deps);
  const http = createHttpApp(deps, clientDir);
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(config.port, config.host, resolve);
  });
  const { port } = http.server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      http.broadcastReconnect();
      for (const socket of http.wss.clients) socket.close(1001, 'Server shutting down');
      http.wss.close();
      http.server.closeAllConnections();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
      stopFriendPresence();
      await presence.close();
      await closeRedis();
      await orm.close();
      await database.stop();
    })();
    return closing;
  };
  return { deps, url: `http://127.0.0.1:${port}`, port, close };
}

function connectFanout(
  config: Config,
  log: Logger,
): { bus: EventBus; limiter: RateLimiter; presence: Presence; closeRedis: () => Promise<void> } {
  if (!config.redisUrl) {
    const bus = new InProcessBus();
    return {
      bus,
      limiter: new MemoryRateLimiter(),
      presence: new InProcessPresence(bus),
      closeRedis: async () => {},
    };
  }
  const commands = new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(config.redisUrl);
  for (const connection of [commands, subscriber]) {
    connection.on('error', (cause) => log.error('Redis connection error', { cause }));
  }
  const bus = new RedisBus(commands, subscriber, config.redisKeyPrefix, log);
  return {
    bus,
    limiter: new RedisRateLimiter(commands, config.redisKeyPrefix),
    presence: new RedisPresence(bus, commands, config.redisKeyPrefix, bus.instanceId),
    closeRedis: () => bus.close(),
  };
}
