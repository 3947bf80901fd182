import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { LoopLateness } from './loop-lateness.ts';
import { RedisCalls } from './redis-calls.ts';

export interface InstanceSample {
  sockets: number;
  people: number;
  /** Bus channels and room streams this instance holds: both fall back as readers leave, or something leaks. */
  busChannels: number;
  roomStreams: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** 99th percentile of how late the event loop ran a timer, over the last 5 to 10 seconds. */
  eventLoopLagMs: number;
}

export interface InstanceReport extends InstanceSample {
  instanceId: string;
  /** The process on its host, so an operator can find it. */
  pid: number;
  at: string;
}

export interface InstanceStats {
  /** Timed by the keep-alive sweep (see `LoopLateness`). */
  loop: LoopLateness;
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
  const loop = new LoopLateness();
  const sample = (): InstanceReport => {
    const memory = process.memoryUsage();
    return {
      instanceId,
      pid: process.pid,
      at: new Date().toISOString(),
      ...counts(),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      eventLoopLagMs: loop.lateMs(),
    };
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
  const timer = setInterval(() => {
    void publish(sample());
    loop.nextWindow();
  }, everyMs);
  timer.unref();
  void publish(sample()); // seen by the other instances from the start, not after the first interval

  return {
    loop,
    all: () => everyInstance(sample()),
    async close() {
      clearInterval(timer);
      // Left behind when Redis is away: readers skip it once it is stale.
      await calls?.attempt(
        (client) => client.hdel(key, instanceId),
        () => 0,
      );
    },
  };
}
