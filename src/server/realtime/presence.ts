import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { EventBus, Unsubscribe } from './bus.ts';
import { execChecked, RedisCalls } from './redis-calls.ts';

/**
 * Who is connected, across instances. Members are counted once however many sockets they hold. Changes are
 * debounced and announced on the bus with the members that came or went, so consumers can tell only those
 * who care.
 */
export interface Presence {
  /** One more connection of `member`; call the returned function when it closes. */
  connect(member: number): () => void;
  count(): Promise<number>;
  /** Distinct members connected to this instance. */
  localCount(): number;
  online(members: readonly number[]): Promise<Set<number>>;
  /** `here` is true on the instance where the change happened, so one instance acts on it, not all. */
  onChange(listener: (members: number[], here: boolean) => void): Unsubscribe;
  close(): Promise<void>;
}

interface Change {
  members: number[];
  origin: string;
}

/** The bus channel presence changes are announced on. */
export const presenceChangeChannel = 'presence.changed';
const changeChannel = presenceChangeChannel;
const debounceMs = 300;

function isChange(message: unknown): message is Change {
  return typeof message === 'object' && message !== null && Array.isArray((message as Change).members);
}

function subscribeChanges(
  bus: EventBus,
  origin: string,
  listener: (members: number[], here: boolean) => void,
) {
  return bus.subscribe(changeChannel, (m) => isChange(m) && listener(m.members, m.origin === origin));
}

/** Local connection counts, with a debounced list of the members whose presence flipped. */
class LocalPresence {
  readonly counts = new Map<number, number>();
  private readonly flipped = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly flush: (members: number[]) => void) {}

  connect(member: number): () => void {
    const before = this.counts.get(member) ?? 0;
    this.counts.set(member, before + 1);
    if (before === 0) this.flip(member);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      const left = (this.counts.get(member) ?? 1) - 1;
      if (left > 0) this.counts.set(member, left);
      else {
        this.counts.delete(member);
        this.flip(member);
      }
    };
  }

  private flip(member: number): void {
    this.flipped.add(member);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const members = [...this.flipped];
      this.flipped.clear();
      this.flush(members);
    }, debounceMs);
  }

  /** Stops announcing; returns every member this instance still holds or had a change pending for. */
  stop(): number[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const members = new Set([...this.counts.keys(), ...this.flipped]);
    this.flipped.clear();
    return [...members];
  }
}

export class InProcessPresence implements Presence {
  private readonly local: LocalPresence;

  constructor(private readonly bus: EventBus) {
    this.local = new LocalPresence(
      (members) => void bus.publish(changeChannel, { members, origin: 'local' }),
    );
  }

  connect(member: number) {
    return this.local.connect(member);
  }

  async count() {
    return this.local.counts.size;
  }

  localCount() {
    return this.local.counts.size;
  }

  async online(members: readonly number[]) {
    return new Set(members.filter((m) => this.local.counts.has(m)));
  }

  onChange(listener: (members: number[], here: boolean) => void) {
    return subscribeChanges(this.bus, 'local', listener);
  }

  async close() {
    const members = this.local.stop();
    if (members.length) await this.bus.publish(changeChannel, { members, origin: 'local' });
  }
}

const heartbeatMs = 5_000;
/** How long a read of the live instances, or a count, serves later callers. */
const cacheMs = 250;
const instanceTtlMs = 15_000;

/**
 * Each instance keeps its members in a Redis set that expires unless refreshed every few seconds, so a crashed
 * instance's people drop out within seconds; a copy without expiry lets the next sweep say who they were.
 * While Redis is away presence is approximate: each instance knows only its own people, and the first heartbeat
 * after Redis returns writes them all again.
 */
export class RedisPresence implements Presence {
  private readonly local: LocalPresence;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly calls: RedisCalls;

  constructor(
    private readonly bus: EventBus,
    redis: Redis,
    private readonly prefix: string,
    private readonly instanceId: string,
    log: Logger,
  ) {
    this.calls = new RedisCalls(redis, log, 'Presence', "only this instance's people are shown online");
    this.local = new LocalPresence(
      (members) => void this.writeChange(members).then(() => this.announce(members)),
    );
    this.heartbeat = setInterval(() => void this.write().then(() => this.sweep()), heartbeatMs);
    this.heartbeat.unref();
    void this.write();
  }

  private key = (instance: string) => `${this.prefix}presence:live:${instance}`;
  private lastKey = (instance: string) => `${this.prefix}presence:last:${instance}`;
  private instancesKey = () => `${this.prefix}presence:instances`;

  connect(member: number) {
    return this.local.connect(member);
  }

  /** Rewrites this instance's whole set (at start and on every heartbeat), so one heartbeat after an outage repairs it. */
  private async write(): Promise<void> {
    const members = [...this.local.counts.keys()].map(String);
    await this.calls.attempt(
      (redis) => {
        const tx = redis.multi().del(this.key(this.instanceId), this.lastKey(this.instanceId));
        if (members.length) {
          tx.sadd(this.key(this.instanceId), ...members).sadd(this.lastKey(this.instanceId), ...members);
        }
        return execChecked(this.beat(tx));
      },
      () => undefined,
    );
  }

  /**
   * Writes a debounced change as what changed: the members who came added, those who went removed. Rewriting the
   * whole set for every change cost a busy instance its every member twice per change (10,000 sockets connecting
   * wrote ~300,000 member names in 9 s; docs/performance.md, entry 70); a change that fails is repaired by the next
   * heartbeat's rewrite, as an outage is.
   */
  private async writeChange(members: number[]): Promise<void> {
    const came = members.filter((member) => this.local.counts.has(member)).map(String);
    const went = members.filter((member) => !this.local.counts.has(member)).map(String);
    await this.calls.attempt(
      (redis) => {
        const tx = redis.multi();
        for (const key of [this.key(this.instanceId), this.lastKey(this.instanceId)]) {
          if (came.length) tx.sadd(key, ...came);
          if (went.length) tx.srem(key, ...went);
        }
        return execChecked(this.beat(tx));
      },
      () => undefined,
    );
  }

  /** This instance is alive: its set lives another `instanceTtlMs`, and the instances list says when it beat. */
  private beat(tx: ChainableCommander): ChainableCommander {
    return tx
      .pexpire(this.key(this.instanceId), instanceTtlMs)
      .zadd(this.instancesKey(), Date.now(), this.instanceId);
  }

  /** Local followers hear it at once; other instances when Redis carries it (or by their next read). */
  private async announce(members: number[]): Promise<void> {
    this.counted = null;
    const change: Change = { members, origin: this.instanceId };
    // The bus delivers to this instance's followers before it publishes to Redis.
    await this.calls.settle(this.bus.publish(changeChannel, change), () => undefined);
  }

  /** Forgets instances that stopped beating, and announces the people they held. */
  private async sweep(): Promise<void> {
    const dead = await this.calls.attempt(
      (redis) => redis.zrangebyscore(this.instancesKey(), 0, Date.now() - instanceTtlMs),
      () => [],
    );
    for (const instance of dead) {
      const members = await this.calls.attempt(
        (redis) => this.forget(redis, instance),
        () => null,
      );
      if (members) await this.announce(members);
    }
  }

  /** The members a dead instance held, or null when another instance swept it first. */
  private async forget(redis: Redis, instance: string): Promise<number[] | null> {
    const removed = await redis.zrem(this.instancesKey(), instance);
    if (!removed) return null;
    const members = await redis.smembers(this.lastKey(instance));
    await redis.del(this.lastKey(instance), this.key(instance));
    return members.map(Number);
  }

  /**
   * The instances that beat within `instanceTtlMs`: one Redis read serves every caller within a short while (they
   * come and go far less often than people do).
   */
  private instances: { at: number; names: Promise<string[]> } | null = null;
  private liveInstances(redis: Redis): Promise<string[]> {
    if (!this.instances || Date.now() - this.instances.at > cacheMs) {
      const names = redis.zrangebyscore(this.instancesKey(), Date.now() - instanceTtlMs, '+inf');
      this.instances = { at: Date.now(), names };
      // A failed read is not kept: the next caller asks again.
      names.catch(() => {
        if (this.instances?.names === names) this.instances = null;
      });
    }
    return this.instances.names;
  }

  /**
   * How many people are connected anywhere, each once: the union of the live instances' sets, counted by Redis
   * (`SUNIONSTORE` into a key dropped in the same transaction), not sent here member by member. One count serves
   * every caller within a short while, or until presence changes.
   */
  private counted: { at: number; count: Promise<number> } | null = null;
  count(): Promise<number> {
    if (!this.counted || Date.now() - this.counted.at > cacheMs) {
      this.counted = { at: Date.now(), count: this.countLive() };
    }
    return this.counted.count;
  }

  private countLive(): Promise<number> {
    return this.calls.attempt(
      async (redis) => {
        const instances = await this.liveInstances(redis);
        if (instances.length === 0) return 0;
        const union = `${this.prefix}presence:count:${this.instanceId}`;
        const transaction = redis
          .multi()
          .sunionstore(union, ...instances.map(this.key))
          .del(union);
        const [count] = await execChecked(transaction);
        return Number(count);
      },
      () => this.local.counts.size,
    );
  }

  localCount() {
    return this.local.counts.size;
  }

  /**
   * Which of `members` are connected anywhere: each live instance's set asked about them alone (`SMISMEMBER`), so
   * a change costs what it names, not every member of every instance (reading the whole union on each change was
   * most of what a busy instance's presence cost it; docs/performance.md, entry 70).
   */
  async online(members: readonly number[]): Promise<Set<number>> {
    if (members.length === 0) return new Set();
    return this.calls.attempt(
      async (redis) => {
        const online = new Set<number>();
        const instances = await this.liveInstances(redis);
        if (instances.length === 0) return online;
        const names = members.map(String);
        const asked = redis.pipeline();
        for (const instance of instances) asked.smismember(this.key(instance), ...names);
        for (const flags of (await execChecked(asked)) as number[][]) {
          for (const [i, flag] of flags.entries()) if (flag === 1) online.add(members[i]!);
        }
        return online;
      },
      () => new Set(members.filter((member) => this.local.counts.has(member))),
    );
  }

  onChange(listener: (members: number[], here: boolean) => void) {
    return subscribeChanges(this.bus, this.instanceId, (members, here) => {
      this.counted = null;
      listener(members, here);
    });
  }

  async close() {
    clearInterval(this.heartbeat);
    // The sockets may have closed just before: their pending changes are announced now, not lost.
    const members = this.local.stop();
    await this.calls.attempt(
      (redis) =>
        execChecked(
          redis
            .multi()
            .del(this.key(this.instanceId), this.lastKey(this.instanceId))
            .zrem(this.instancesKey(), this.instanceId),
        ),
      () => undefined, // the keys expire by themselves within instanceTtlMs, and the next sweep announces them
    );
    if (members.length) await this.announce(members);
  }
}
