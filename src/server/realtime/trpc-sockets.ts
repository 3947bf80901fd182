import type { IncomingMessage } from 'node:http';
import { type RawData, WebSocket, type WebSocketServer } from 'ws';
import { awaitsConnectionParams } from '../http/request-target.ts';
import type { ParleySocket } from './socket.ts';
import { type ConnectionOptions, TrpcConnection } from './trpc-connection.ts';

export interface TrpcSocketsOptions<TContext> extends Omit<ConnectionOptions<TContext>, 'clock'> {
  /** Ping a client after `pingMs` without a message from it; close it if `pongWaitMs` more pass in silence. */
  keepAlive: { pingMs: number; pongWaitMs: number };
  /** Called each time the keep-alive sweep runs, every `everyMs`: the instance's one regular wake-up. */
  onSweep?: (everyMs: number) => void;
}

/**
 * How often the keep-alive sweep runs (four times a second, or ten times per `pingMs` if that is shorter): pings
 * and cut-offs happen up to this much later than asked.
 */
const sweepMsFor = (pingMs: number) => Math.min(250, Math.max(10, Math.round(pingMs / 10)));

/** A sweep sends at least this many pings when as many are due (see `pingsPerSweep`). */
const leastPingsPerSweep = 25;

/**
 * The most pings one sweep sends: twice the steady rate (each socket once per `pingMs`). A crowd that connected in
 * the same second, as a restart's reconnects do, is then pinged over several sweeps instead of in one, and stays
 * spread out after, each answer setting its socket's next ping: 6,000 sockets pinged in one sweep, with their
 * answers, held the loop for 130 ms every half minute (docs/performance.md, entry 64).
 */
function pingsPerSweep(sockets: number, pingMs: number): number {
  return Math.max(leastPingsPerSweep, Math.ceil((2 * sockets * sweepMsFor(pingMs)) / pingMs));
}

/**
 * Serves the router's procedures on every socket `wss` opens, in place of `@trpc/server`'s ws adapter and with
 * the same protocol (see `TrpcConnection`). The listeners are shared functions that find their socket's
 * connection on the socket, and one sweep (four a second) keeps every socket alive, instead of a set of closures
 * and a timer per socket: at 10,000 idle sockets those were most of what each cost.
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
  const sweepMs = sweepMsFor(options.keepAlive.pingMs);
  const sweep = setInterval(() => {
    options.onSweep?.(sweepMs);
    clock.now = Date.now();
    let pings = pingsPerSweep(wss.clients.size, options.keepAlive.pingMs);
    for (const socket of wss.clients)
      if (keepAlive(socket as ParleySocket, clock.now, options.keepAlive, pings > 0)) pings--;
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

/** Cuts off a socket whose ping went unanswered; pings one quiet for `pingMs` if `mayPing`. True if it pinged. */
function keepAlive(
  socket: ParleySocket,
  now: number,
  { pingMs, pongWaitMs }: TrpcSocketsOptions<unknown>['keepAlive'],
  mayPing: boolean,
): boolean {
  const calls = socket.calls;
  if (!calls || socket.readyState !== WebSocket.OPEN) return false;
  if (calls.pingedAt) {
    if (now - calls.pingedAt >= pongWaitMs) socket.terminate();
    return false;
  }
  if (!mayPing || now - calls.heardAt < pingMs) return false;
  socket.send('PING');
  calls.pingedAt = now;
  return true;
}
