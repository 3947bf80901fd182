import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Logger, OutageLog } from '../logger.ts';
import { withTimeout } from '../timeout.ts';
import { type BusHandler, type EventBus, LocalFanout, type Unsubscribe } from './bus.ts';

interface Envelope {
  origin: string;
  message: unknown;
}

/** Said by an instance whose publishes may have been lost: every instance then re-reads what it follows. */
const recoveryChannel = '_bus:recover';
const subscribeRetryMs = { first: 500, max: 5_000 };
/** How long closing waits for Redis to take what was published last. */
const closeWaitMs = 1_000;

/**
 * Redis pub/sub fan-out across instances. Local subscribers get a message at once; the copy that comes back from
 * Redis carries this instance's id and is skipped, so nobody sees it twice.
 *
 * Redis pub/sub drops whatever is published while a connection is down, so this bus treats it as a pipe that
 * drops: it subscribes every local channel again each time its subscriber connection comes back (and retries a
 * SUBSCRIBE that failed until it holds), and then tells its recovery listeners to re-read what they follow. An
 * instance whose publishes failed says so on a shared channel once it can publish again, so that every other
 * instance recovers too.
 */
export class RedisBus implements EventBus {
  readonly instanceId = randomUUID();
  /**
   * How this instance's own publishes begin (`sendToOthers` writes the origin first): Redis sends them back on
   * every channel this instance follows too, and they are dropped on these bytes, without being parsed.
   */
  private readonly ownPayloadStart = Buffer.from(`{"origin":${JSON.stringify(this.instanceId)},`);
  private readonly fanout = new LocalFanout();
  private readonly subscribing = new Map<string, Promise<void>>();
  private readonly recoveryListeners = new Set<() => void>();
  /** A publish failed since the publisher was last connected: the others must recover once it is back. */
  private publishesLost = false;
  private subscriberWasReady = false;
  /** Subscribes failing while Redis is away: said once, not once per channel and retry. */
  private readonly subscribeOutage: OutageLog;
  private closed = false;
  /** Publishes of this turn, sent together once it ends: one write to Redis instead of one per event. */
  private outgoing: [channel: string, payload: string][] = [];

  constructor(
    private readonly publisher: Redis,
    /** Created with `autoResubscribe: false`: this bus resubscribes itself, and knows when it has. */
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.subscribeOutage = new OutageLog(log, 'error', {
      failing: 'Redis subscribe failed; retrying each channel until it holds',
      still: 'Redis subscribe failed again',
      back: 'Redis subscribes hold again',
    });
    subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) =>
      this.receive(channel.toString(), payload),
    );
    subscriber.on('ready', () => this.subscriberReady());
    publisher.on('ready', () => this.publisherReady());
    void this.subscribeUntilHeld(recoveryChannel);
  }

  /**
   * Delivers locally at once; the copy for other instances goes out without the caller waiting for Redis. If it is
   * lost, the others recover from the database once this instance can publish again.
   */
  async publish(channel: string, message: unknown): Promise<void> {
    this.fanout.deliver(channel, message);
    this.sendToOthers(channel, message);
  }

  subscribe(channel: string, handler: BusHandler): Unsubscribe {
    const entry = this.fanout.add(channel, handler);
    if (entry.first) this.subscribing.set(channel, this.subscribeUntilHeld(channel));
    return () => {
      if (!entry.remove().last) return;
      this.subscribing.delete(channel);
      this.subscriber.unsubscribe(this.prefix + channel).catch((cause) => {
        // The channel stays subscribed on Redis until the connection drops: its messages are dropped here.
        this.log.warn('Redis unsubscribe failed', { channel, cause });
      });
    };
  }

  async ready(channel: string): Promise<void> {
    await this.subscribing.get(channel);
  }

  listening(): number {
    return this.fanout.size;
  }

  onRecover(listener: () => void): Unsubscribe {
    this.recoveryListeners.add(listener);
    return () => void this.recoveryListeners.delete(listener);
  }

  /** Publishes already written (who left with this instance, say) reach Redis before the connection goes. */
  async close(): Promise<void> {
    this.sendOutgoing();
    this.closed = true;
    this.subscriber.disconnect();
    await withTimeout(this.publisher.quit(), closeWaitMs).catch(() => this.publisher.disconnect());
  }

  /**
   * Queues the copy for other instances; the turn's copies go out together when it ends (a send publishes to its
   * room and to each member, and a group commit ends many sends in one turn). Order per channel is kept.
   */
  private sendToOthers(channel: string, message: unknown): void {
    if (this.closed) return;
    const envelope: Envelope = { origin: this.instanceId, message };
    this.outgoing.push([this.prefix + channel, JSON.stringify(envelope)]);
    if (this.outgoing.length === 1) setImmediate(() => this.sendOutgoing());
  }

  private sendOutgoing(): void {
    const batch = this.outgoing;
    if (batch.length === 0) return;
    this.outgoing = [];
    const pipeline = this.publisher.pipeline();
    for (const [channel, payload] of batch) pipeline.publish(channel, payload);
    pipeline.exec().then(
      (replies) => {
        const failed = replies?.find(([error]) => error);
        if (!replies || failed) this.publishFailed(failed?.[0] ?? new Error('Redis discarded the publishes'));
      },
      (cause: unknown) => this.publishFailed(cause),
    );
  }

  private publishFailed(cause: unknown): void {
    if (!this.publishesLost) this.log.warn('Redis publish failed; other instances will catch up', { cause });
    this.publishesLost = true;
  }

  /**
   * Resolves once the channel is subscribed, retrying a failed SUBSCRIBE for as long as someone here listens:
   * until it holds, this instance is deaf to the channel.
   */
  private async subscribeUntilHeld(channel: string): Promise<void> {
    let wait = subscribeRetryMs.first;
    for (;;) {
      try {
        await this.subscriber.subscribe(this.prefix + channel);
        this.subscribeOutage.worked();
        return;
      } catch (cause) {
        if (this.closed || !this.wanted(channel)) return;
        this.subscribeOutage.failed({ channel, cause });
        await new Promise((resolve) => setTimeout(resolve, wait).unref());
        wait = Math.min(wait * 2, subscribeRetryMs.max);
      }
    }
  }

  private wanted(channel: string): boolean {
    return channel === recoveryChannel || this.subscribing.has(channel);
  }

  /** A new subscriber connection holds no subscriptions: take them all again, then recover what was missed. */
  private subscriberReady(): void {
    if (!this.subscriberWasReady) {
      this.subscriberWasReady = true;
      return;
    }
    const channels = [recoveryChannel, ...this.fanout.channels()];
    this.log.warn('Redis subscriber reconnected; resubscribing and catching up', {
      channels: channels.length,
    });
    this.subscriber.subscribe(...channels.map((channel) => this.prefix + channel)).then(
      () => this.recover(),
      (cause) => {
        // The next ready (the connection dropped again) retries; meanwhile each channel retries on its own.
        this.log.error('Redis resubscribe failed', { cause });
        for (const channel of channels) void this.subscribeUntilHeld(channel);
      },
    );
  }

  private recover(): void {
    for (const listener of [...this.recoveryListeners]) {
      try {
        listener();
      } catch (cause) {
        this.log.error('A bus recovery listener failed', { cause });
      }
    }
  }

  private publisherReady(): void {
    if (!this.publishesLost) return;
    this.publishesLost = false;
    this.sendToOthers(recoveryChannel, null);
  }

  private receive(fullChannel: string, payload: Buffer): void {
    if (!fullChannel.startsWith(this.prefix)) return;
    if (payload.subarray(0, this.ownPayloadStart.length).equals(this.ownPayloadStart)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload.toString()) as Envelope;
    } catch (cause) {
      this.log.warn('Dropped an unreadable bus message', { channel: fullChannel, cause });
      return;
    }
    if (envelope.origin === this.instanceId) return;
    const channel = fullChannel.slice(this.prefix.length);
    if (channel === recoveryChannel) this.recover();
    else this.fanout.deliver(channel, envelope.message);
  }
}
