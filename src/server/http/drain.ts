import type { Server } from 'node:http';
import type { WebSocketServer } from 'ws';
import { socketCloseCodes } from '../../shared/socket.ts';
import type { Logger } from '../logger.ts';

/** How often idle keep-alive connections are closed while calls in flight finish. */
const idleSweepMs = 100;

/**
 * Graceful stop: takes no new connection, tells every socket to reconnect (to another instance behind the load
 * balancer; their clients resume each room stream from its last event), and lets HTTP calls in flight finish.
 * Whatever is still open at `deadlineMs` is cut.
 */
export async function drain(
  server: Server,
  wss: WebSocketServer,
  notifyReconnect: () => void,
  deadlineMs: number,
  log: Logger,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  notifyReconnect();
  for (const socket of wss.clients) {
    socket.close(socketCloseCodes.serviceRestart, 'Server restarting: reconnect');
  }
  wss.close();
  // A keep-alive connection becomes idle once its last call is answered: close it then, not at the deadline.
  const sweep = setInterval(() => server.closeIdleConnections(), idleSweepMs);
  server.closeIdleConnections();
  const deadline = setTimeout(() => {
    log.warn('Shutdown deadline reached: cutting the calls and sockets still open', {
      sockets: wss.clients.size,
    });
    for (const socket of wss.clients) socket.terminate();
    server.closeAllConnections();
  }, deadlineMs);
  await closed;
  clearInterval(sweep);
  clearTimeout(deadline);
}
