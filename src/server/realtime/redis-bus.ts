import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Logger, OutageLog } from '../logger.ts';
import { withTimeout } from '../timeout.ts';
import { type BusHandler, type EventBus, LocalFanout, type Unsubscribe } from './bus.ts';
import { BatchWriter, originMark, readBatch } from './bus-batch.ts';

/** Said by an instance whose publishes may have been lost: every instance then re-reads what it follows. */
const recoveryChannel = '_bus:recover';
/** The one Redis channel every instance of a deployment publishes to and listens on (under its key prefix). */
const sharedChannel = '_bus';
const subscribeRetryMs = { first: 500, max: 5_000 };
/** How long closing waits for Redis to take what was published last. */
const closeWaitMs = 1_000;

/**
 * Redis pub/sub fan-out across instances. Local subscribers get a message at once; the copies for the other
 * instances go out when the turn ends, every channel's together, as one PUBLISH on the deployment's one shared
 * channel (a send's room event and its members' sidebar changes were three publishes; a group commit's sends, three
 * each). Every instance hears every payload and parses only the events of channels someone there follows (see
 * `bus-batch.ts`); its own come back too and are dropped on their first bytes. So Redis no longer sorts events by
 * channel for the instances: for the few instances a deployment runs, one command per turn costs each of them less
 * than a command per event, and following a new channel (a room's first reader here) needs no SUBSCRIBE.
 *
 * Redis pub/sub drops whatever is published while a connection is down, so this bus treats it as a pipe that
 * drops: it subscribes again each time its subscriber connection comes back (and retries a SUBSCRIBE that failed
 * until it holds), and then tells its recovery listeners to re-read what they follow. An instance whose publishes
 * failed says so once it can publish again, so that every other instance recovers too.
 */
export class RedisBus implements EventBus {
  readonly instanceId = randomUUID();
  /** How this instance's own payloads begin: Redis sends them back, and they are dropped unread. */
  private readonly ownPayloadStart = originMark(this.instanceId);
  private readonly fanout = new LocalFanout();
  /** Resolves once the shared channel is subscribed (it is retried until it holds). */
  private readonly subscribed: Promise<void>;
  private readonly recoveryListeners = new Set<() => void>();
  /** A publish failed since the publisher was last connected: the others must recover once it is back. */
  private publishesLost = false;
  private subscriberWasReady = false;
  /** Subscribes failing while Redis is away: said once, not once per retry. */
  private readonly subscribeOutage: OutageLog;
  private closed = false;
  /** Publishes of this turn, sent together once it ends. */
  private readonly outgoing = new BatchWriter(this.instanceId);

  constructor(
    private readonly publisher: Redis,
    /** Created with `autoResubscribe: false`: this bus resubscribes itself, and knows when it has. */
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.subscribeOutage = new OutageLog(log, 'error', {
      failing: 'Redis subscribe failed; retrying until it holds',
      still: 'Redis subscribe failed again',
      back: 'Redis subscribes hold again',
    });
    subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) => this.receive(channel, payload));
    subscriber.on('ready', () => this.subscriberReady());
    publisher.on('ready', () => this.publisherReady());
    this.subscribed = this.subscribeUntilHeld();
  }

  /**
   * Delivers locally at once; the copy for other instances goes out without the caller waiting for Redis. If it is
   * lost, the others recover from the database once this instance can publish again.
   */
  async publish(channel: string, message: unknown): Promise<void> {
    this.fanout.deliver(channel, message);
    this.sendToOthers(channel, message);
  }

  /** Only this instance's own list: every channel's events reach it through the shared one. */
  subscribe(channel: string, handler: BusHandler): Unsubscribe {
    const entry = this.fanout.add(channel, handler);
    return () => void entry.remove();
  }

  /** Every channel is heard once the shared one is subscribed. */
  ready(_channel: string): Promise<void> {
    return this.subscribed;
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

  /** Queues the copy for other instances; the turn's copies go out together when it ends, in order. */
  private sendToOthers(channel: string, message: unknown): void {
    if (this.closed) return;
    this.outgoing.add(channel, message);
    if (this.outgoing.size === 1) setImmediate(() => this.sendOutgoing());
  }

  private sendOutgoing(): void {
    if (this.outgoing.size === 0) return;
    this.publisher.publish(this.prefix + sharedChannel, this.outgoing.take()).catch((cause: unknown) => {
      if (!this.publishesLost)
        this.log.warn('Redis publish failed; other instances will catch up', { cause });
      this.publishesLost = true;
    });
  }

  /** Resolves once the shared channel is subscribed, retrying a failed SUBSCRIBE until it holds. */
  private async subscribeUntilHeld(): Promise<void> {
    let wait = subscribeRetryMs.first;
    for (;;) {
      try {
        await this.subscriber.subscribe(this.prefix + sharedChannel);
        this.subscribeOutage.worked();
        return;
      } catch (cause) {
        if (this.closed) return;
        this.subscribeOutage.failed({ cause });
        await new Promise((resolve) => setTimeout(resolve, wait).unref());
        wait = Math.min(wait * 2, subscribeRetryMs.max);
      }
    }
  }

  /** A new subscriber connection holds no subscription: take it again, then recover what was missed. */
  private subscriberReady(): void {
    if (!this.subscriberWasReady) {
      this.subscriberWasReady = true;
      return;
    }
    this.log.warn('Redis subscriber reconnected; resubscribing and catching up');
    void this.subscribeUntilHeld().then(() => this.closed || this.recover());
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

  private receive(channel: Buffer, payload: Buffer): void {
    if (channel.toString() !== this.prefix + sharedChannel) return;
    if (payload.subarray(0, this.ownPayloadStart.length).equals(this.ownPayloadStart)) return;
    readBatch(payload.toString(), (event, parse) => {
      if (event === recoveryChannel) return this.recover();
      if (!this.fanout.has(event)) return;
      let message: unknown;
      try {
        message = parse();
      } catch (cause) {
        this.log.warn('Dropped an unreadable bus message', { channel: event, cause });
        return;
      }
      this.fanout.deliver(event, message);
    });
  }
}
