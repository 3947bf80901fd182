import { Redis } from 'ioredis';

/**
 * Commands Redis has processed so far, all clients together (exact for one scenario only on a Redis of its own:
 * `BENCH_REDIS_URL`), how many of them were PUBLISH, how many reads from clients' sockets Redis made (a
 * pipeline of commands written at once is one read: roughly the clients' round trips), and the CPU Redis has used
 * (µs, user and system: it shares the machine's two cores with the instances).
 */
export async function redisCommands(
  url: string,
): Promise<{ total: number; publish: number; reads: number; cpuMicros: number }> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    const stats = await redis.info('stats');
    const commandStats = await redis.info('commandstats');
    const cpu = await redis.info('cpu');
    const seconds = (name: string) => Number(cpu.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? 0);
    return {
      total: Number(stats.match(/total_commands_processed:(\d+)/)?.[1] ?? 0),
      publish: Number(commandStats.match(/cmdstat_publish:calls=(\d+)/)?.[1] ?? 0),
      reads: Number(stats.match(/total_reads_processed:(\d+)/)?.[1] ?? 0),
      cpuMicros: Math.round((seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6),
    };
  } finally {
    redis.disconnect();
  }
}
