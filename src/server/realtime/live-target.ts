import type { ParleySocket } from './socket.ts';
import { frameHead, type SubscriptionRequest } from './ws-protocol.ts';

/** Where a live subscriber's frames go: its socket, and the head that names its subscription. */
export interface LiveTarget {
  socket: ParleySocket;
  head: Buffer;
  /** The head as text, by which subscribers with alike heads find their shared frame. */
  headText: string;
}

export function liveTarget(socket: ParleySocket, request: SubscriptionRequest): LiveTarget {
  const headText = frameHead(request);
  return { socket, head: Buffer.from(headText), headText };
}

/**
 * One event's frames, each built on first use for a head: subscribers whose heads are alike (the same request id:
 * tabs subscribe to a room alike) are written one shared buffer, as a plain relay writes one message to all,
 * instead of a copy each. The tail is asked for only when a frame is first built.
 */
export class EventFrames {
  private readonly built = new Map<string, Buffer>();
  private tail: Buffer | null = null;

  constructor(private readonly buildTail: () => Buffer) {}

  write(target: LiveTarget): void {
    target.socket.sendText(this.frameFor(target));
  }

  frameFor(target: LiveTarget): Buffer {
    let frame = this.built.get(target.headText);
    if (!frame) {
      this.tail ??= this.buildTail();
      frame = Buffer.concat([target.head, this.tail], target.head.length + this.tail.length);
      this.built.set(target.headText, frame);
    }
    return frame;
  }
}
