import { Redis } from 'ioredis';

/**
 * Commands Redis has processed so far, all clients together (exact for one scenario only on a Redis of its own:
 * `BENCH_REDIS_URL`), and how many of them were PUBLISH.
 */
export async function redisCommands(url: string): Promise<{ total: number; publish: number }> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    const stats = await redis.info('stats');
    const commandStats = await redis.info('commandstats');
    return {
      total: Number(stats.match(/total_commands_processed:(\d+)/)?.[1] ?? 0),
      publish: Number(commandStats.match(/cmdstat_publish:calls=(\d+)/)?.[1] ?? 0),
    };
  } finally {
    redis.disconnect();
  }
}
