/**
 * The event bus: how one instance tells every instance (itself included) that something happened.
 * In-process for a single node; Redis pub/sub when REDIS_URL is set. It knows no domain: channels are strings,
 * messages are JSON-serialisable values.
 */
export type BusHandler = (message: unknown) => void;
export type Unsubscribe = () => void;

export interface EventBus {
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: BusHandler): Unsubscribe;
  /** Resolves once messages published on `channel` by any instance reach this one's subscribers. */
  ready(channel: string): Promise<void>;
  /**
   * Calls `listener` whenever this instance may have missed messages (its link to the other instances dropped and
   * came back): whoever keeps state from the bus reads it again from the database.
   */
  onRecover(listener: () => void): Unsubscribe;
  /** How many channels this instance listens to now (a number that must fall back when listeners leave). */
  listening(): number;
  close(): Promise<void>;
}

/** Local subscribers by channel; the building block of both bus kinds. */
export class LocalFanout {
  private readonly handlers = new Map<string, Set<BusHandler>>();

  add(channel: string, handler: BusHandler): { first: boolean; remove: () => { last: boolean } } {
    let set = this.handlers.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    const handlers = set;
    return {
      first,
      remove: () => {
        handlers.delete(handler);
        const last = handlers.size === 0 && this.handlers.get(channel) === handlers;
        if (last) this.handlers.delete(channel);
        return { last };
      },
    };
  }

  deliver(channel: string, message: unknown): void {
    const set = this.handlers.get(channel);
    if (!set) return;
    for (const handler of [...set]) handler(message);
  }

  has(channel: string): boolean {
    return this.handlers.has(channel);
  }

  channels(): string[] {
    return [...this.handlers.keys()];
  }

  get size(): number {
    return this.handlers.size;
  }
}

export class InProcessBus implements EventBus {
  private readonly fanout = new LocalFanout();

  async publish(channel: string, message: unknown): Promise<void> {
    this.fanout.deliver(channel, message);
  }

  subscribe(channel: string, handler: BusHandler): Unsubscribe {
    const entry = this.fanout.add(channel, handler);
    return () => void entry.remove();
  }

  async ready(): Promise<void> {}

  listening(): number {
    return this.fanout.size;
  }

  /** Nothing is ever missed in-process. */
  onRecover(): Unsubscribe {
    return () => {};
  }

  async close(): Promise<void> {}
}
