import WebSocket from 'ws';
import { FrameSocket } from './frame-socket.ts';

/** What calls go out on: a `ws` client, or the load generators' lean `FrameSocket`. */
export type CallSocket = Pick<WebSocket, 'readyState'> & { send(text: string): void };

/** Call ids start here, above the ids the load generators give their subscriptions. */
const firstCallId = 1_000;
const idStart = '{"id":'.length;
const comma = 44;

/**
 * tRPC mutations over a socket, as the web client sends its messages, reads and typing: one frame out, and the
 * answer frame (matched by id) settles the call. The load generator's own frame handler passes every frame to
 * `settle` first; what is not an answer to a call is left to it.
 */
export class SocketCaller {
  private nextId = firstCallId;
  private readonly pending = new Map<number, (ok: boolean) => void>();
  /** Refused calls by the error code the server answered with, so a bench can say what failed. */
  readonly failures = new Map<string, number>();

  constructor(private readonly socket: CallSocket) {}

  /** Resolves true when the server answered with a result, false with an error or a closed socket. */
  mutate(path: string, input: unknown): Promise<boolean> {
    const id = this.nextId++;
    if (this.socket.readyState !== WebSocket.OPEN) {
      this.failed('socket closed');
      return Promise.resolve(false);
    }
    this.socket.send(JSON.stringify({ id, method: 'mutation', params: { path, input } }));
    return new Promise((resolve) => this.pending.set(id, resolve));
  }

  /**
   * True when `frame` was the caller's business: tRPC's keep-alive "PING" (answered) or the answer to one of its calls
   * (settled). What is not is left to the generator's own frame handler.
   */
  handled(frame: Buffer): boolean {
    return answeredKeepAlive(frame, this.socket) || this.settle(frame);
  }

  /** True when `frame` answered one of this caller's calls (and was handled). */
  settle(frame: Buffer): boolean {
    let id = 0;
    for (let i = idStart; i < frame.length && frame[i] !== comma; i++) id = id * 10 + (frame[i]! - 48);
    if (id < firstCallId) return false;
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    const refused = frame.includes('"error"');
    if (refused) this.failed(/"code":"([A-Z_]+)"/.exec(frame.toString())?.[1] ?? 'error');
    resolve?.(!refused);
    return true;
  }

  private failed(why: string): void {
    this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
  }
}

/** True when `frame` was tRPC's keep-alive "PING", answered with "PONG" as the stock client answers it. */
export function answeredKeepAlive(frame: Buffer, socket: { send(text: string): void }): boolean {
  if (frame.length !== 4 || frame.toString() !== 'PING') return false;
  socket.send('PONG');
  return true;
}

/**
 * A `FrameSocket` signed in with `token`, open, with its caller: the keep-alive answered and the calls' answers
 * settled, every other text frame passed to `onFrame`.
 */
export async function openCaller(
  wsUrl: string,
  token: string,
  on: { onFrame?: (frame: Buffer) => void; onClose?: () => void } = {},
): Promise<{ socket: FrameSocket; caller: SocketCaller }> {
  let caller: SocketCaller | null = null;
  const socket = await FrameSocket.open(wsUrl, {
    headers: { authorization: `Bearer ${token}` },
    onText: (frame) => {
      if (!caller?.handled(frame)) on.onFrame?.(frame);
    },
    onClose: on.onClose,
  });
  caller = new SocketCaller(socket);
  return { socket, caller };
}

/** A socket signed in with `token`, open. */
export function openSocket(wsUrl: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, {
    perMessageDeflate: false,
    headers: { authorization: `Bearer ${token}` },
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}
