import type { Socket } from 'node:net';
import { type RawData, WebSocket } from 'ws';
import { socketCloseCodes } from '../../shared/socket.ts';

/** How long a socket cut for reading too slowly may take to read its close frame before it is dropped. */
const slowCloseGraceMs = 5_000;

/** What serves a socket's calls (tRPC's protocol, `TrpcConnection`), found on the socket by shared listeners. */
export interface SocketCalls {
  message(data: RawData, isBinary: boolean): void;
  socketError(cause: Error): void;
  closed(): void;
  /** For the keep-alive sweep: when the client last sent anything, and when it was pinged since (0: not). */
  heardAt: number;
  pingedAt: number;
}

/**
 * Every server-side socket: `ws`'s own, with a bound on what may wait unsent. A reader that stops reading (or reads
 * slower than its rooms talk) would otherwise grow the server's memory without end and delay nobody but itself;
 * past the bound it is closed with `socketCloseCodes.tooSlow`, and its client reconnects and resumes from its last
 * event id. Every frame goes through `send`, tRPC's replies and the pre-built room frames alike.
 */
export class ParleySocket extends WebSocket {
  /** Set by the server when the socket opens (WS_MAX_BUFFERED_BYTES). */
  maxBufferedBytes = Number.POSITIVE_INFINITY;
  /** Called once if the socket is cut for reading too slowly. */
  onTooSlow: (() => void) | null = null;
  /** The TCP connection underneath (set by the server when the socket opens), to write many frames as one. */
  transport: Socket | null = null;
  /** Set by the server when the socket opens. */
  calls: SocketCalls | null = null;
  /** Queries and mutations this socket has called that have not answered yet (see `holdForAnswer`). */
  private callsInFlight = 0;
  private holding = false;

  /** A call over this socket began: its answer is on its way (tRPC writes it once the procedure returns). */
  callStarted(): void {
    this.callsInFlight++;
  }

  callEnded(): void {
    this.callsInFlight--;
  }

  // ws declares send() with overloads; this takes any of them. A lone string (every tRPC reply) is framed here.
  override send(...args: unknown[]): void {
    const [data] = args;
    if (args.length === 1 && typeof data === 'string' && this.transport) {
      this.sendString(data);
      return;
    }
    (super.send as (...args: unknown[]) => void).apply(this, args);
    this.boundBuffer();
  }

  /**
   * One text frame as one buffer, written straight to the connection (safe as `sendFrames` says): ws would write
   * its header and the payload as two writes gathered by a cork into a `writev`, which every reply paid, a
   * connect's "started" too.
   */
  private sendString(text: string): void {
    if (this.readyState !== WebSocket.OPEN) return;
    const length = Buffer.byteLength(text);
    const frame = Buffer.allocUnsafe(frameHeaderSize(length) + length);
    frame.write(text, writeFrameHeader(frame, 0, length));
    this.transport?.write(frame);
    this.boundBuffer();
  }

  /**
   * Writes one pre-built text frame if the socket is still open. `ws` writes the buffer itself, not a copy, so
   * one buffer may go to many sockets; it must not change afterwards.
   */
  sendText(frame: Buffer): void {
    if (this.readyState !== WebSocket.OPEN) return;
    this.holdForAnswer();
    super.send(frame, { binary: false });
    this.boundBuffer();
  }

  /** Writes several pre-built text frames in one write to the network, where one system call costs the most. */
  sendTexts(frames: readonly Buffer[]): void {
    if (this.readyState !== WebSocket.OPEN) return;
    // ws keeps its network socket to itself; corking it (Node's own API) gathers the frames ws writes into one.
    const network = (this as unknown as { _socket: Socket | null })._socket;
    network?.cork();
    for (const frame of frames) super.send(frame, { binary: false });
    network?.uncork();
    this.boundBuffer();
  }

  /**
   * Writes one text frame per tail, each `head + tail`, to the connection in one write: a reader resuming after a
   * restart is sent hundreds at once, and ws would cost two stream writes and a header per frame. Safe between
   * ws's own sends because this server never compresses (perMessageDeflate is off) nor sends Blobs, the only
   * cases in which ws holds a frame back in a queue that a direct write could overtake.
   */
  sendFrames(head: Buffer, tails: readonly Buffer[]): void {
    this.sendRun(new FrameRun(head, tails));
  }

  /** As `sendFrames`, for frames that may be written to many sockets: they are built once, on first use. */
  sendRun(run: FrameRun): void {
    if (this.readyState !== WebSocket.OPEN || run.tails.length === 0) return;
    if (!this.transport) {
      for (const tail of run.tails) this.sendText(Buffer.concat([run.head, tail]));
      return;
    }
    this.holdForAnswer();
    this.transport.write(run.bytes);
    this.boundBuffer();
  }

  /**
   * A live frame for a socket with a call in flight waits until this turn's promise jobs have run: a sender's own
   * copy of their message is written in the same turn as the answer to their send, and both leave in one write to
   * the network instead of two (each write to a socket is a system call, the largest cost on this path). The
   * answer of a call still waiting for something else is not in this turn; the frame then waits for nothing more.
   */
  private holdForAnswer(): void {
    if (this.callsInFlight > 0) this.gatherTurn();
  }

  /**
   * Gathers what this socket is written until this turn's promise jobs have run into one write to the network.
   * Called from a promise job (the tick queue runs after them); a subscription's "started" then leaves with what
   * its first steps write (a resume's backlog), where it used to cost a write of its own.
   */
  gatherTurn(): void {
    const network = this.transport;
    if (this.holding || !network) return;
    this.holding = true;
    network.cork();
    process.nextTick(() => {
      this.holding = false;
      network.uncork();
    });
  }

  private boundBuffer(): void {
    if (this.bufferedAmount > this.maxBufferedBytes && this.readyState === WebSocket.OPEN) this.cutTooSlow();
  }

  private cutTooSlow(): void {
    this.onTooSlow?.();
    this.close(socketCloseCodes.tooSlow, 'Too slow: reconnect and resume');
    // The close frame waits behind everything unread; a reader that reads nothing never gets it.
    setTimeout(() => this.terminate(), slowCloseGraceMs).unref();
  }
}

/** One text frame per tail, each `head + tail`, as one buffer built when first written and then shared. */
export class FrameRun {
  private built: Buffer | null = null;

  constructor(
    readonly head: Buffer,
    readonly tails: readonly Buffer[],
  ) {}

  get bytes(): Buffer {
    this.built ??= textFrames(this.head, this.tails);
    return this.built;
  }
}

/** Unmasked, unfragmented text frames (RFC 6455 §5.2), as a server sends them, one per tail, in one buffer. */
export function textFrames(head: Buffer, tails: readonly Buffer[]): Buffer {
  let size = 0;
  for (const tail of tails) size += frameHeaderSize(head.length + tail.length) + head.length + tail.length;
  const frames = Buffer.allocUnsafe(size);
  let at = 0;
  for (const tail of tails) {
    at = writeFrameHeader(frames, at, head.length + tail.length);
    at += head.copy(frames, at);
    at += tail.copy(frames, at);
  }
  return frames;
}

const frameHeaderSize = (length: number) => (length < 126 ? 2 : length < 65_536 ? 4 : 10);

function writeFrameHeader(frames: Buffer, at: number, length: number): number {
  frames[at] = 0x81; // FIN, text
  if (length < 126) {
    frames[at + 1] = length;
    return at + 2;
  }
  if (length < 65_536) {
    frames[at + 1] = 126;
    frames.writeUInt16BE(length, at + 2);
    return at + 4;
  }
  frames[at + 1] = 127;
  frames.writeBigUInt64BE(BigInt(length), at + 2);
  return at + 10;
}
