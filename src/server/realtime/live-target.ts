import { TRPCError } from '@trpc/server';
import type { ParleySocket } from './socket.ts';
import { frameHead, type SubscriptionRequest } from './ws-protocol.ts';

/** Where a live subscriber's frames go: its socket, and the head that names its subscription. */
export class LiveTarget {
  readonly head: Buffer;
  /** The head as text, by which subscribers with alike heads find their shared frame. */
  readonly headText: string;
  /** Set once the stream writes this subscription's frames itself (see `park`). */
  parked = false;
  /** What to undo when the subscription stops (see `onAbort`), in the order it was set up. */
  private stops: (() => void)[] | null = null;

  constructor(
    readonly socket: ParleySocket,
    request: SubscriptionRequest,
    /** The subscription as its socket's calls keep it: how it is stopped. */
    private readonly subscription: { stop(): void },
  ) {
    this.headText = frameHead(request);
    this.head = headOf(this.headText);
  }

  /**
   * From now on the stream writes this subscription's frames itself, and its generator ends: the call then keeps
   * no generator, no pending step and no AbortController until the client stops it or the socket closes, when its
   * hooks run (`onStop`) and "stopped" is sent as for any other subscription.
   */
  park(): void {
    this.parked = true;
  }

  /** Ends the subscription from the server's side, as a stream that returns does: the client is sent "stopped". */
  end(): void {
    this.subscription.stop();
  }

  /**
   * Runs `stop` when the subscription stops. Called by `onAbort` for a socket's subscriptions: the hooks share
   * the subscription's one abort listener, where an EventTarget listener each costs a few hundred bytes per tab.
   */
  onStop(stop: () => void): void {
    // A new list of the exact length each time (a subscription has a handful): a push, or a spread, would give it
    // room for 17.
    this.stops = this.stops ? this.stops.concat(stop) : [stop];
  }

  /** The subscription stopped (its signal aborted, or parked, it was stopped): every hook runs, even if one throws. */
  stopped(): void {
    const stops = this.stops ?? [];
    this.stops = null;
    let failure: { cause: unknown } | null = null;
    for (const stop of stops) {
      try {
        stop();
      } catch (cause) {
        failure ??= { cause };
      }
    }
    if (failure) throw failure.cause;
  }
}

/**
 * Heads by text. Tabs name their subscriptions alike (1, 2, 3…), so a few buffers serve every socket; a buffer
 * made per subscription would also be a slice of Node's shared pool, and keep its whole 8 KiB slab alive.
 */
const heads = new Map<string, Buffer>();
const mostHeads = 10_000;

function headOf(text: string): Buffer {
  let head = heads.get(text);
  if (!head) {
    head = Buffer.from(text);
    if (heads.size < mostHeads) heads.set(text, head);
  }
  return head;
}

/** Each socket subscription's target, by the signal its procedure is handed. */
const targets = new WeakMap<AbortSignal, LiveTarget>();

/** Called by the socket's calls as a subscription starts (`TrpcCalls`). */
export function setLiveTarget(signal: AbortSignal, target: LiveTarget): void {
  targets.set(signal, target);
}

/** The socket and head of the subscription handed `signal`; null for any other call. */
export function liveTargetOf(signal: AbortSignal | undefined): LiveTarget | null {
  return (signal && targets.get(signal)) ?? null;
}

/**
 * The socket a subscription's stream writes to. Every subscription runs on one (the procedures' middleware refuses
 * others before they get here), so this only says so again where a stream needs its target.
 */
export function socketTarget(signal: AbortSignal | undefined): LiveTarget {
  const target = liveTargetOf(signal);
  if (!target) {
    throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Subscribe over the WebSocket at /trpc.' });
  }
  return target;
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
