/**
 * The Redis bus's wire format: one publish carries every event an instance published in a turn, on any channel.
 * Text, one item per line: the origin (the publishing instance's id), then each event as a line naming its
 * channel and a line of its JSON. JSON.stringify never writes a raw line break (it escapes them in strings), and
 * channel names have none, so a line break always ends an item. A reader finds the channels without parsing any
 * JSON, and parses only the events of channels it follows.
 */

/** A turn's events, in the order they were published, as one payload. */
export class BatchWriter {
  /** The origin, then the turn's items. Emptied in place, never replaced (see `LiveRounds.outgoing`). */
  private readonly parts: string[];

  constructor(origin: string) {
    this.parts = [origin];
  }

  add(channel: string, message: unknown): void {
    if (channel.includes('\n'))
      throw new Error(`A bus channel has no line break: ${JSON.stringify(channel)}`);
    this.parts.push(channel, JSON.stringify(message));
  }

  get size(): number {
    return (this.parts.length - 1) / 2;
  }

  /** The payload; the writer is empty again afterwards. */
  take(): string {
    const payload = this.parts.join('\n');
    this.parts.length = 1;
    return payload;
  }
}

/** The first bytes of every payload an instance publishes: how it knows (and drops) its own, unread. */
export function originMark(origin: string): Buffer {
  return Buffer.from(`${origin}\n`);
}

/**
 * Calls `each` for every event of the payload, in order, with its channel and a way to parse it: only the events
 * a reader wants cost a JSON.parse.
 */
export function readBatch(payload: string, each: (channel: string, parse: () => unknown) => void): void {
  let at = payload.indexOf('\n') + 1;
  while (at > 0 && at < payload.length) {
    const channelEnd = payload.indexOf('\n', at);
    // A channel without its event: nothing to deliver (a payload cut short cannot be read further).
    if (channelEnd < 0) return;
    const messageEnd = payload.indexOf('\n', channelEnd + 1);
    const end = messageEnd < 0 ? payload.length : messageEnd;
    each(payload.slice(at, channelEnd), () => JSON.parse(payload.slice(channelEnd + 1, end)));
    at = end + 1;
  }
}
