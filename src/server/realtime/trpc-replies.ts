import {
  type AnyTRPCRouter,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  type ProcedureType,
  type TRPCError,
} from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY, type TRPCResponseMessage } from '@trpc/server/rpc';
import { WebSocket } from 'ws';

/** What tRPC's adapter tells its `onError`, and what Parley's server logs from. */
export interface SocketErrorInfo<TContext> {
  error: TRPCError;
  path: string | undefined;
  type: ProcedureType | 'unknown';
  input: unknown;
  ctx: TContext | undefined;
}

/** What every connection of one server shares: the router, its wire encoding, and where errors are reported. */
export interface SocketProtocol<TContext> {
  router: AnyTRPCRouter;
  encode(message: unknown): string;
  decode(data: string | Buffer): unknown;
  onError(info: SocketErrorInfo<TContext>): void;
}

/** What a client gets when its error cannot be formatted: tRPC's own fallback, which says nothing of the cause. */
const fallbackErrorShape = {
  code: TRPC_ERROR_CODES_BY_KEY.INTERNAL_SERVER_ERROR,
  message: 'Internal server error',
  data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 },
};

/**
 * The reply with its error or data through the router's output transformer, as `transformTRPCResponse` makes it
 * (the same keys in the same order), with native spreads: tRPC's copies go through Babel's `_objectSpread2`, whose
 * property-by-property copy was a quarter of that helper's time in a send's profile (docs/performance.md, entry 32).
 */
function serialized(message: TRPCResponseMessage, output: { serialize(value: unknown): unknown }) {
  if ('error' in message) return { ...message, error: output.serialize(message.error) };
  if ('data' in message.result) {
    return { ...message, result: { ...message.result, data: output.serialize(message.result.data) } };
  }
  return message;
}

/**
 * One socket's replies in tRPC's shapes: results, errors formatted by the router's `errorFormatter`, and errors
 * reported to `onError` (an `onError` that fails is logged, never lost, as tRPC's adapter does).
 */
export class TrpcReplies<TContext> {
  ctx: TContext | undefined = undefined;

  constructor(
    readonly socket: WebSocket,
    readonly protocol: SocketProtocol<TContext>,
  ) {}

  /** Drops replies once the socket is closing. */
  respond(message: TRPCResponseMessage | { id: null; error: unknown }): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const { output } = this.protocol.router._def._config.transformer;
    this.socket.send(this.protocol.encode(serialized(message as TRPCResponseMessage, output)));
  }

  /** A reply that, failing to build or send, is reported and replaced by the fallback error. */
  respondOrReport(build: () => TRPCResponseMessage | { id: null; error: unknown }): void {
    let message: ReturnType<typeof build> | null = null;
    try {
      message = build();
      this.respond(message);
    } catch (cause) {
      this.report(getTRPCErrorFromUnknown(cause), 'unknown', undefined, undefined);
      if (message === null) return;
      const { id } = message;
      const jsonrpc = 'jsonrpc' in message ? message.jsonrpc : undefined;
      try {
        this.respond({ id, jsonrpc, error: fallbackErrorShape });
      } catch {
        // Reported above; the socket cannot take even the fallback.
      }
    }
  }

  report(error: TRPCError, type: ProcedureType | 'unknown', path: string | undefined, input: unknown): void {
    try {
      this.protocol.onError({ error, type, path, input, ctx: this.ctx });
    } catch (cause) {
      console.error('[socket onError failed]', cause, error);
    }
  }

  /** The error as the client sees it, or the fallback when the formatter itself throws. */
  errorShape(error: TRPCError, type: ProcedureType | 'unknown', path: string | undefined, input: unknown) {
    try {
      const config = this.protocol.router._def._config;
      return getTRPCErrorShape({ config, error, type, path, input, ctx: this.ctx });
    } catch (cause) {
      this.report(getTRPCErrorFromUnknown(cause), type, path, input);
      return fallbackErrorShape;
    }
  }

  /** Reports `cause` and answers request `id` with it. */
  fail(
    id: string | number,
    jsonrpc: '2.0' | undefined,
    cause: unknown,
    call: { type: ProcedureType; path: string; input: unknown },
  ): void {
    const error = getTRPCErrorFromUnknown(cause);
    this.report(error, call.type, call.path, call.input);
    this.respond({ id, jsonrpc, error: this.errorShape(error, call.type, call.path, call.input) });
  }

  /** An error not tied to a request (a bad frame, failed credentials): answered with id null. */
  failConnection(error: TRPCError): void {
    this.report(error, 'unknown', undefined, undefined);
    this.respondOrReport(() => ({
      id: null,
      error: this.errorShape(error, 'unknown', undefined, undefined),
    }));
  }
}
