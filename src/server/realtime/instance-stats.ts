import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { RedisCalls } from './redis-calls.ts';

export interface InstanceSample {
  sockets: number;
  people: number;
  /** Bus channels and room streams this instance holds: both fall back as readers leave, or something leaks. */
  busChannels: number;
  roomStreams: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** 99th percentile of event-loop delay since the last sample. */
  eventLoopLagMs: number;
}

export interface InstanceReport extends InstanceSample {
  instanceId: string;
  /** The process on its host, so an operator can find it. */
  pid: number;
  at: string;
}

export interface InstanceStats {
  /** Every live instance's latest numbers (this one's fresh). */
  all(): Promise<InstanceReport[]>;
  close(): Promise<void>;
}

const everyMs = 5_000;
const staleMs = 15_000;

/**
 * Samples this process (sockets, people, memory, event-loop lag) and, with Redis, shares the sample so any
 * instance can show every instance's numbers (only its own while Redis is away).
 */
export function createInstanceStats(
  instanceId: string,
  counts: () => Pick<InstanceSample, 'sockets' | 'people' | 'busChannels' | 'roomStreams'>,
  redis: { client: Redis; prefix: string } | null,
  log: Logger,
): InstanceStats {
  const calls =
    redis && new RedisCalls(redis.client, log, 'Instance stats', 'each instance shows only its own');
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const sample = (): InstanceReport => {
    const memory = process.memoryUsage();
    const report = {
      instanceId,
      pid: process.pid,
      at: new Date().toISOString(),
      ...counts(),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      eventLoopLagMs: Math.round((lag.percentile(99) / 1e6) * 10) / 10,
    };
    lag.reset();
    return report;
  };
  const key = redis ? `${redis.prefix}instance-stats` : '';
  const publish = async (report: InstanceReport) => {
    await calls?.attempt(
      (client) => client.hset(key, instanceId, JSON.stringify(report)),
      () => 0,
    );
  };
  const everyInstance = async (mine: InstanceReport): Promise<InstanceReport[]> => {
    if (!calls) return [mine];
    await publish(mine);
    const stored = await calls.attempt(
      (client) => client.hgetall(key),
      () => ({ [instanceId]: JSON.stringify(mine) }),
    );
    const reports = Object.values(stored).map((json) => JSON.parse(json) as InstanceReport);
    const fresh = reports.filter((r) => Date.now() - Date.parse(r.at) < staleMs);
    return fresh.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  };
  const timer = setInterval(() => void publish(sample()), everyMs);
  timer.unref();
  void publish(sample()); // seen by the other instances from the start, not after the first interval

  return {
    all: () => everyInstance(sample()),
    async close() {
      clearInterval(timer);
      lag.disable();
      // Left behind when Redis is away: readers skip it once it is stale.
      await calls?.attempt(
        (client) => client.hdel(key, instanceId),
        () => 0,
      );
    },
  };
}
