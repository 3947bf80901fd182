import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const headEnd = Buffer.from('\r\n\r\n');
const acceptSuffix = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
// The client's frames must be masked (RFC 6455 §5.3); the key's randomness protects proxies' caches, of which
// loopback has none, so every frame goes with a zero key and its payload as it is (`ws` allows the same through
// its `generateMask` option).
const zeroMask = Buffer.alloc(4);

export interface FrameSocketOptions {
  headers?: Record<string, string>;
  /** The address to connect from (127.0.0.x: each gives a crowd another range of ports). */
  localAddress?: string;
  /** Each whole text frame the server sends, as bytes (valid only during the call), and the socket it came on. */
  onText: (frame: Buffer, socket: FrameSocket) => void;
  /** Once closed, why, as `ws` says it: an error's code, or `close <code>` (1006: no close frame came). */
  onClose?: (why: string) => void;
}

/**
 * A WebSocket client that does no more than a load generator needs: the upgrade, the server's frames cut out of
 * each read in place and handed over as bytes, its pings answered, and masked text frames out. It stands for many
 * subscribers in one process on one core, so it must read a frame for less than the server spends writing it:
 * with `ws`'s client, 1,000 readers of the bare relay read a message's last copy 1.4–2.0 ms after the relay wrote it,
 * with this one 0.2–0.6 ms (`bench/reader-lag-probe.ts`; docs/performance.md, entry 88).
 */
export class FrameSocket {
  private pending: Buffer | null = null;
  private fragments: Buffer[] = [];
  /** The opcode of the message being received (its first frame's: text or binary). */
  private messageCode: number = opcode.text;
  private closed = false;
  private closeCode = 1006;
  private failure: string | null = null;
  private ending: NodeJS.Timeout | undefined;
  /** Resolves once the connection has closed, whichever side closed it. */
  readonly ended: Promise<void>;
  private markEnded!: () => void;

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: FrameSocketOptions,
  ) {
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
  }

  /** Opens and upgrades a connection to `url` (ws://host:port/path); rejects with the status line if refused. */
  static open(url: string, options: FrameSocketOptions): Promise<FrameSocket> {
    const target = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + acceptSuffix)
      .digest('base64');
    const headers = Object.entries(options.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const socket = net.connect({
      port: Number(target.port || 80),
      host: target.hostname,
      localAddress: options.localAddress,
    });
    socket.setNoDelay(true);
    return new Promise((resolve, reject) => {
      let head: Buffer = Buffer.alloc(0);
      const onHead = (data: Buffer) => {
        head = head.length ? Buffer.concat([head, data]) : data;
        const end = head.indexOf(headEnd);
        if (end < 0) return;
        socket.off('data', onHead);
        socket.off('error', reject);
        const text = head.toString('latin1', 0, end);
        if (
          !text.startsWith('HTTP/1.1 101') ||
          !text.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)
        ) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${text.split('\r\n')[0]}`));
          return;
        }
        const frameSocket = new FrameSocket(socket, options);
        socket.on('data', (chunk: Buffer) => frameSocket.read(chunk));
        socket.on('error', (error: NodeJS.ErrnoException) => {
          frameSocket.failure ??= error.code ?? error.message.slice(0, 40);
        });
        socket.on('close', () => frameSocket.closedNow());
        resolve(frameSocket);
        const rest = head.subarray(end + headEnd.length);
        if (rest.length) frameSocket.read(rest);
      };
      socket.on('data', onHead);
      socket.once('error', reject);
      // Closed without an answer (a server going down): refused too. Once upgraded, this no longer matters.
      socket.once('close', () => reject(new Error('closed before the upgrade')));
      socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
      );
    });
  }

  /** As `ws`'s: 1 while open, 3 once closed (so `SocketCaller` takes either). */
  get readyState(): 1 | 3 {
    return this.closed ? 3 : 1;
  }

  send(text: string): void {
    this.write(opcode.text, Buffer.from(text));
  }

  /**
   * Closes as a client should: a close frame (1000, normal), then the server ends the connection once it has
   * answered (RFC 6455 §7.1.1), so the port left waiting (TIME_WAIT) is the server's: a crowd that left first and
   * another connecting from the same addresses cost the generator 3–4× its CPU a connect when they were its own
   * (docs/performance.md, entry 88).
   */
  close(): void {
    if (this.closed) return;
    const normal = Buffer.alloc(2);
    normal.writeUInt16BE(1000);
    this.write(opcode.close, normal);
    this.closed = true;
    this.endSoon();
  }

  terminate(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private write(code: number, payload: Buffer): void {
    if (this.closed) return;
    const length = payload.length;
    const size = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const head = Buffer.allocUnsafe(size + 4);
    head[0] = 0x80 | code;
    if (size === 2) head[1] = 0x80 | length;
    else if (size === 4) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(length, 2);
    } else {
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(length), 2);
    }
    zeroMask.copy(head, size);
    this.socket.write(Buffer.concat([head, payload]));
  }

  /** Cuts every whole frame out of what has come, keeping a partial one for the next read. */
  private read(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (at + 2 <= data.length) {
      const first = data[at]!;
      const second = data[at + 1]!;
      let length = second & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (start + 2 > data.length) break;
        length = data.readUInt16BE(start);
        start += 2;
      } else if (length === 127) {
        if (start + 8 > data.length) break;
        length = Number(data.readBigUInt64BE(start));
        start += 8;
      }
      if (second & 0x80) {
        // A server never masks its frames (RFC 6455 §5.1): the connection is not what it claims.
        this.terminate();
        return;
      }
      if (start + length > data.length) break;
      this.frame(first, data.subarray(start, start + length));
      at = start + length;
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private frame(first: number, payload: Buffer): void {
    const code = first & 0x0f;
    const fin = (first & 0x80) !== 0;
    if (code === opcode.ping) this.write(opcode.pong, payload);
    else if (code === opcode.close) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      // Answered unless it answers ours; either way the server ends the connection (see `close`).
      this.write(opcode.close, payload.subarray(0, 2));
      this.closed = true;
      this.endSoon();
    } else if (code === opcode.text || code === opcode.binary || code === opcode.continuation) {
      if (code !== opcode.continuation) this.messageCode = code;
      if (!fin) {
        this.fragments.push(Buffer.from(payload));
        return;
      }
      const whole = this.fragments.length ? Buffer.concat([...this.fragments, payload]) : payload;
      this.fragments = [];
      if (this.messageCode === opcode.text) this.options.onText(whole, this);
    }
  }

  /** Ends the connection from this side only if the server has not within a second. */
  private endSoon(): void {
    this.ending ??= setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  private closedNow(): void {
    if (this.ending) clearTimeout(this.ending);
    this.closed = true;
    this.options.onClose?.(this.failure ?? `close ${this.closeCode}`);
    this.markEnded();
  }
}
