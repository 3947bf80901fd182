import net from 'node:net';

const headerEnd = Buffer.from('\r\n\r\n');
const lastChunk = Buffer.from('0\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection over which a sender calls tRPC mutations with a token, one call at a time, as a
 * script's loop does: each request written as one string, each answer read for its status and its end. Node's `http`
 * client cost the load generator 80–140 µs a call, as much as the server's own handling, on the two cores they share
 * (docs/performance.md, entry 86). A connection the server closed (its keep-alive timeout) is opened again on the
 * next call; a call whose connection fails answers 0.
 */
export class HttpCaller {
  private readonly host: string;
  private readonly port: number;
  private socket: net.Socket | null = null;
  private received: Buffer = Buffer.alloc(0);
  private answer: ((status: number) => void) | null = null;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
  }

  /** Resolves with the answer's HTTP status, 0 when no answer came. */
  post(path: string, token: string, input: unknown): Promise<number> {
    if (this.answer) return Promise.reject(new Error('HttpCaller: one call at a time'));
    const body = JSON.stringify(input);
    const request =
      `POST /trpc/${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nAuthorization: Bearer ${token}\r\n\r\n${body}`;
    return new Promise((resolve) => {
      this.answer = resolve;
      this.connection().write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connection(): net.Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = net.connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.on('data', (data) => this.read(socket, data));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.received = Buffer.alloc(0);
      this.settle(0);
    });
    this.socket = socket;
    return socket;
  }

  /** Gathers the answer until it is whole (its Content-Length read, or its last chunk), then settles the call. */
  private read(socket: net.Socket, data: Buffer): void {
    this.received = this.received.length ? Buffer.concat([this.received, data]) : data;
    const end = this.received.indexOf(headerEnd);
    if (end < 0) return;
    const head = this.received.toString('latin1', 0, end).toLowerCase();
    const bodyAt = end + headerEnd.length;
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    const whole = length
      ? this.received.length >= bodyAt + Number(length[1])
      : this.received.lastIndexOf(lastChunk) >= bodyAt;
    if (!whole) return;
    this.received = Buffer.alloc(0);
    if (head.includes('\r\nconnection: close')) {
      this.socket = null;
      socket.destroy();
    }
    this.settle(Number(head.slice(9, 12)));
  }

  private settle(status: number): void {
    const answer = this.answer;
    this.answer = null;
    answer?.(status);
  }
}
