import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Redis } from 'ioredis';

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
 * instance can show every instance's numbers.
 */
export function createInstanceStats(
  instanceId: string,
  counts: () => Pick<InstanceSample, 'sockets' | 'people' | 'busChannels' | 'roomStreams'>,
  redis: { client: Redis; prefix: string } | null,
): InstanceStats {
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
    await redis?.client.hset(key, instanceId, JSON.stringify(report)).catch(() => {});
  };
  const timer = setInterval(() => void publish(sample()), everyMs);
  timer.unref();
  void publish(sample()); // seen by the other instances from the start, not after the first interval

  return {
    async all() {
      const mine = sample();
      if (!redis) return [mine];
      await publish(mine);
      const stored = await redis.client.hgetall(key);
      const reports = Object.values(stored).map((json) => JSON.parse(json) as InstanceReport);
      const fresh = reports.filter((r) => Date.now() - Date.parse(r.at) < staleMs);
      return fresh.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    },
    async close() {
      clearInterval(timer);
      lag.disable();
      await redis?.client.hdel(key, instanceId).catch(() => {});
    },
  };
}
