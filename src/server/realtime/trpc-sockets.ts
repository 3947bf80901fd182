import type { IncomingMessage } from 'node:http';
import { type RawData, WebSocket, type WebSocketServer } from 'ws';
import { awaitsConnectionParams } from '../http/request-target.ts';
import type { ParleySocket } from './socket.ts';
import { type ConnectionOptions, TrpcConnection } from './trpc-connection.ts';

export interface TrpcSocketsOptions<TContext> extends Omit<ConnectionOptions<TContext>, 'clock'> {
  /** Ping a client after `pingMs` without a message from it; close it if `pongWaitMs` more pass in silence. */
  keepAlive: { pingMs: number; pongWaitMs: number };
}

/** How often the keep-alive sweep runs: pings and cut-offs happen up to this much later than asked. */
const sweepMs = 1_000;

/**
 * Serves the router's procedures on every socket `wss` opens, in place of `@trpc/server`'s ws adapter and with
 * the same protocol (see `TrpcConnection`). The listeners are shared functions that find their socket's
 * connection on the socket, and one sweep a second keeps every socket alive, instead of a set of closures and a
 * timer per socket: at 10,000 idle sockets those were most of what each cost.
 */
export function serveTrpcSockets<TContext>(wss: WebSocketServer, options: TrpcSocketsOptions<TContext>) {
  const clock = { now: Date.now() };
  const connectionOptions: ConnectionOptions<TContext> = { ...options, clock };
  wss.on('connection', (socket: ParleySocket, req: IncomingMessage) => {
    socket.calls = new TrpcConnection(socket, req, connectionOptions, awaitsConnectionParams(req.url));
    socket.on('message', onMessage);
    socket.on('error', onError);
    socket.once('close', onClose);
  });
  const sweep = setInterval(() => {
    clock.now = Date.now();
    for (const socket of wss.clients) keepAlive(socket as ParleySocket, clock.now, options.keepAlive);
  }, sweepMs);
  sweep.unref();
  wss.once('close', () => clearInterval(sweep));
  const reconnect = options.encode({ id: null, method: 'reconnect' });
  return {
    /** Asks every client to reconnect (to another instance, before this one stops). */
    broadcastReconnectNotification() {
      for (const socket of wss.clients) if (socket.readyState === WebSocket.OPEN) socket.send(reconnect);
    },
  };
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
  (this as ParleySocket).calls?.message(data, isBinary);
}

function onError(this: WebSocket, cause: Error) {
  (this as ParleySocket).calls?.socketError(cause);
}

function onClose(this: WebSocket) {
  (this as ParleySocket).calls?.closed();
}

function keepAlive(
  socket: ParleySocket,
  now: number,
  { pingMs, pongWaitMs }: TrpcSocketsOptions<unknown>['keepAlive'],
) {
  const calls = socket.calls;
  if (!calls || socket.readyState !== WebSocket.OPEN) return;
  if (calls.pingedAt) {
    if (now - calls.pingedAt >= pongWaitMs) socket.terminate();
  } else if (now - calls.heardAt >= pingMs) {
    socket.send('PING');
    calls.pingedAt = now;
  }
}
