import type { IncomingMessage } from 'node:http';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { parseTRPCMessage, type TRPCClientOutgoingMessage } from '@trpc/server/rpc';
import { parseConnectionParamsFromUnknown } from '@trpc/server/unstable-core-do-not-import';
import type { RawData, WebSocket } from 'ws';
import type { SocketCalls } from './socket.ts';
import { type ContextResult, isObject, type RequestId, TrpcCalls } from './trpc-calls.ts';
import type { SocketProtocol } from './trpc-replies.ts';

export interface SocketContextOptions {
  req: IncomingMessage;
  socket: WebSocket;
  connectionParams: Record<string, string | undefined> | null;
}

export interface ConnectionOptions<TContext> extends SocketProtocol<TContext> {
  createContext(options: SocketContextOptions): Promise<TContext>;
  maxBatchSize: number;
  /** A coarse clock the keep-alive sweep advances: reading it costs nothing per message. */
  clock: { now: number };
}

/**
 * One socket speaking what the stock `wsLink` speaks, as `@trpc/server`'s ws adapter does: its connectionParams
 * and context, its frames (PING/PONG, single calls and batches), and its calls (`TrpcCalls`). What it keeps per
 * socket is this object: no closures per connection, and the upgrade request is let go once the context is made.
 */
export class TrpcConnection<TContext> extends TrpcCalls<TContext> implements SocketCalls {
  /** The upgrade request, until the context is made from it. */
  private req: IncomingMessage | null;
  /** For the keep-alive sweep: when the client last sent anything, and when it was pinged since (0: not). */
  heardAt: number;
  pingedAt = 0;

  constructor(
    socket: WebSocket,
    req: IncomingMessage,
    private readonly options: ConnectionOptions<TContext>,
    awaitsParams: boolean,
  ) {
    super(socket, options);
    this.req = req;
    this.heardAt = options.clock.now;
    if (!awaitsParams) this.context = this.makeContext(() => null);
  }

  message(raw: RawData, isBinary: boolean): void {
    this.heardAt = this.options.clock.now;
    this.pingedAt = 0;
    if (!isBinary && (raw as Buffer).length === 4) {
      const text = raw.toString();
      if (text === 'PONG') return;
      if (text === 'PING') {
        this.socket.send('PONG');
        return;
      }
    }
    if (!Buffer.isBuffer(raw)) {
      const message = 'Unexpected WebSocket message format';
      this.failConnection(new TRPCError({ code: 'UNPROCESSABLE_CONTENT', message }));
      return;
    }
    const data = isBinary ? raw : raw.toString('utf8');
    if (!this.context) {
      this.context = this.makeContext(() => this.connectionParamsIn(data));
      return;
    }
    this.decode(data).forEach((message, batchIndex) => {
      this.handle(message, batchIndex).catch((cause) => this.failConnection(getTRPCErrorFromUnknown(cause)));
    });
  }

  socketError(cause: Error): void {
    this.report(socketErrorOf(cause), 'unknown', undefined, undefined);
  }

  private connectionParamsIn(data: string | Buffer) {
    let message: unknown;
    try {
      message = this.options.decode(data);
      if (!isObject(message)) throw new Error('Message was not an object');
    } catch (cause) {
      throw new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed TRPCConnectionParamsMessage', cause });
    }
    return parseConnectionParamsFromUnknown(message.data);
  }

  private async makeContext(
    connectionParams: () => SocketContextOptions['connectionParams'],
  ): Promise<ContextResult<TContext>> {
    const req = this.req!;
    this.req = null;
    try {
      const params = connectionParams();
      this.ctx = await this.options.createContext({ req, socket: this.socket, connectionParams: params });
      return { ok: true, ctx: this.ctx };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      this.failConnection(error);
      setImmediate(() => this.socket.close());
      return { ok: false, error };
    }
  }

  /** The messages of a frame; a malformed frame or a batch over the limit is answered here and yields none. */
  private decode(data: string | Buffer): TRPCClientOutgoingMessage[] {
    try {
      const decoded = this.options.decode(data);
      const messages: unknown[] = Array.isArray(decoded) ? decoded : [decoded];
      if (Array.isArray(decoded) && messages.length > this.options.maxBatchSize) {
        this.refuseBatch(messages);
        return [];
      }
      const transformer = this.options.router._def._config.transformer;
      return messages.map((message) => parseTRPCMessage(message, transformer));
    } catch (cause) {
      this.failConnection(new TRPCError({ code: 'PARSE_ERROR', cause: cause as Error }));
      return [];
    }
  }

  /** A batch over WS_MAX_BATCH_SIZE: every call in it is refused, none runs. */
  private refuseBatch(messages: unknown[]): void {
    const error = new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' });
    this.report(error, 'unknown', undefined, undefined);
    const shape = this.errorShape(error, 'unknown', undefined, undefined);
    const refused = messages.filter(
      (raw): raw is { id: RequestId; jsonrpc?: unknown } =>
        isObject(raw) && raw.method !== 'subscription.stop' && ['number', 'string'].includes(typeof raw.id),
    );
    for (const { id, jsonrpc } of refused) {
      this.respondOrReport(() => ({ id, jsonrpc: jsonrpc === '2.0' ? '2.0' : undefined, error: shape }));
    }
    if (!refused.length) this.respondOrReport(() => ({ id: null, error: shape }));
  }
}

/**
 * What went wrong on a socket, as tRPC's error: `ws` refusing what the client sent (a frame over
 * WS_MAX_PAYLOAD_BYTES, a bad opcode; it closes the socket itself, 1009 or 1002) is the client's error, not a
 * failure of the server's to log as one.
 */
function socketErrorOf(cause: Error): TRPCError {
  const code = (cause as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return getTRPCErrorFromUnknown(cause);
  const tooLarge = code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
  return new TRPCError({
    code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
    message: cause.message,
    cause,
  });
}
