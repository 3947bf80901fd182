import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { type BusHandler, type EventBus, LocalFanout, type Unsubscribe } from './bus.ts';

interface Envelope {
  origin: string;
  message: unknown;
}

/**
 * Redis pub/sub fan-out across instances. Local subscribers get a message at once; the copy that comes back from
 * Redis carries this instance's id and is skipped, so nobody sees it twice.
 */
export class RedisBus implements EventBus {
  readonly instanceId = randomUUID();
  private readonly fanout = new LocalFanout();
  private readonly subscribing = new Map<string, Promise<void>>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) =>
      this.receive(channel.toString(), payload),
    );
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.fanout.deliver(channel, message);
    const envelope: Envelope = { origin: this.instanceId, message };
    await this.publisher.publish(this.prefix + channel, JSON.stringify(envelope));
  }

  subscribe(channel: string, handler: BusHandler): Unsubscribe {
    const entry = this.fanout.add(channel, handler);
    if (entry.first) {
      const subscribed = this.subscriber.subscribe(this.prefix + channel).then(
        () => {},
        (cause) => this.fail(channel, cause),
      );
      this.subscribing.set(channel, subscribed);
    }
    return () => {
      if (!entry.remove().last) return;
      this.subscribing.delete(channel);
      this.subscriber.unsubscribe(this.prefix + channel).catch(() => {});
    };
  }

  async ready(channel: string): Promise<void> {
    await this.subscribing.get(channel);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private receive(fullChannel: string, payload: Buffer): void {
    if (!fullChannel.startsWith(this.prefix)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload.toString()) as Envelope;
    } catch (cause) {
      this.log.warn('Dropped an unreadable bus message', { channel: fullChannel, cause });
      return;
    }
    if (envelope.origin === this.instanceId) return;
    this.fanout.deliver(fullChannel.slice(this.prefix.length), envelope.message);
  }

  private fail(channel: string, cause: unknown): void {
    this.log.error('Redis subscribe failed', { channel, cause });
  }
}
