import { Redis } from 'ioredis';

/**
 * Commands Redis has processed so far, all clients together (exact for one scenario only on a Redis of its own:
 * `BENCH_REDIS_URL`), how many of them were PUBLISH, and how many reads from clients' sockets Redis made (a
 * pipeline of commands written at once is one read: roughly the clients' round trips).
 */
export async function redisCommands(url: string): Promise<{ total: number; publish: number; reads: number }> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    const stats = await redis.info('stats');
    const commandStats = await redis.info('commandstats');
    return {
      total: Number(stats.match(/total_commands_processed:(\d+)/)?.[1] ?? 0),
      publish: Number(commandStats.match(/cmdstat_publish:calls=(\d+)/)?.[1] ?? 0),
      reads: Number(stats.match(/total_reads_processed:(\d+)/)?.[1] ?? 0),
    };
  } finally {
    redis.disconnect();
  }
}
