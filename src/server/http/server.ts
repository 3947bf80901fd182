import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { maxAvatarBytes } from '../../shared/people.ts';
import { credentialsOf, resolveCredentials } from '../auth/resolve.ts';
import {
  createHttpContextFactory,
  createWsContextFactory,
  originAllowed,
  rememberUpgradeAuth,
  upgradeSignedIn,
} from '../context.ts';
import { forkOnUse } from '../db/orm.ts';
import type { Deps } from '../deps.ts';
import { RetryLater } from '../errors.ts';
import { ParleySocket } from '../realtime/socket.ts';
import { serveTrpcSockets } from '../realtime/trpc-sockets.ts';
import { wsEncoder } from '../realtime/ws-protocol.ts';
import { reuseFragmentLists } from '../realtime/ws-receiver.ts';
import { appRouter } from '../router.ts';
import { avatarsDir } from '../services/avatars.ts';
import { drain } from './drain.ts';
import { healthEndpoint } from './health.ts';
import { serveImage } from './images.ts';
import { requestTarget } from './request-target.ts';
import { createSocketAdmission } from './socket-admission.ts';
import { staticFiles } from './static.ts';
import { createTrpcHttpHandler } from './trpc-http.ts';

/** An upload: `bytes` of image as base64 in JSON, with room for the envelope. */
const uploadBodyBytes = (bytes: number) => Math.ceil((bytes * 4) / 3) + 64_000;

/** The largest body a request to these (comma-separated, when batched) procedures may send. */
function maxBodySize(deps: Deps, paths: string): number {
  const called = paths.split(',');
  // An upload anywhere in the batch gets the upload's limit.
  if (called.includes('chat.uploadImage')) return uploadBodyBytes(deps.config.limits.imageMaxBytes);
  if (called.includes('users.setAvatar')) return uploadBodyBytes(maxAvatarBytes);
  return deps.config.limits.httpMaxBodyBytes;
}

const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

export interface HttpApp {
  server: Server;
  wss: WebSocketServer;
  /** Stops serving: see `drain`. */
  drain(deadlineMs: number): Promise<void>;
}

export function createHttpApp(deps: Deps, clientDir: string | null): HttpApp {
  const createContext = createHttpContextFactory(deps);
  const serveClient = clientDir
    ? staticFiles(clientDir, {
        spaFallback: true,
        immutable: (p) => p.startsWith('/assets/'),
        hideSourceMaps: deps.config.production,
      })
    : null;
  // Avatar names carry a version that changes on each upload.
  const serveAvatars = staticFiles(avatarsDir(deps.config.dataDir), {
    spaFallback: false,
    immutable: () => true,
    changing: true,
  });

  const health = healthEndpoint(deps);
  const handleTrpc = createTrpcHttpHandler({
    router: appRouter,
    createContext,
    headersFor(errors): Record<string, string> {
      const later = errors.map((e) => e.cause).find((c): c is RetryLater => c instanceof RetryLater);
      return later ? { 'Retry-After': String(later.retryAfterSeconds) } : {};
    },
    onError(error, path) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        deps.log.error('Procedure failed', { path, cause: error.cause });
    },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestTarget(req.url ?? '/');
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    if (url.pathname.startsWith('/trpc/')) {
      const path = url.pathname.slice('/trpc/'.length);
      await handleTrpc({
        req,
        res,
        path,
        searchParams: url.searchParams,
        maxBodySize: maxBodySize(deps, path),
        maxBatchSize: deps.config.limits.httpMaxBatchSize,
      });
      return;
    }
    if (url.pathname === '/healthz') return health(res);
    if (url.pathname.startsWith('/images/')) return serveImage(deps, req, res, url.pathname);
    if (url.pathname.startsWith('/avatars/')) {
      if (await serveAvatars(req, res, url.pathname.slice('/avatars'.length))) return;
    } else if (serveClient && (await serveClient(req, res, url.pathname))) return;
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
  };

  // A request that fails in a way nobody foresaw gets a 500 and a log line; it never takes the process down.
  const server = createServer((req, res) => {
    handle(req, res).catch((cause) => {
      // The client left before its request was read (a cancelled upload): nothing failed here, nobody waits.
      if ((cause as NodeJS.ErrnoException).code === 'ECONNRESET' && req.destroyed) {
        deps.log.debug('A client left before its request was read', { url: req.url });
        res.destroy();
        return;
      }
      deps.log.error('Request failed', { url: req.url, cause });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Internal Server Error');
    });
  });

  reuseFragmentLists();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: deps.config.limits.wsMaxPayloadBytes,
    WebSocket: ParleySocket,
  });
  const admission = createSocketAdmission(deps);
  // Before tRPC's own listener: the bounds hold from the first frame.
  wss.on('connection', (socket: ParleySocket, req: IncomingMessage) => {
    socket.maxBufferedBytes = deps.config.limits.wsMaxBufferedBytes;
    socket.transport = req.socket;
    socket.onTooSlow = () =>
      deps.log.warn('Closed a socket that read too slowly', { buffered: socket.bufferedAmount });
    admission.opened(socket, req, upgradeSignedIn(req));
  });
  const handler = serveTrpcSockets(wss, {
    ...wsEncoder,
    router: appRouter,
    createContext: createWsContextFactory(deps, admission),
    maxBatchSize: deps.config.limits.wsMaxBatchSize,
    keepAlive: { pingMs: 30_000, pongWaitMs: 5_000 },
    onSweep: (everyMs) => deps.instanceStats.loop.ran(everyMs),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        deps.log.error('Socket call failed', { path, cause: error.cause });
    },
  });

  // One listener for every upgrade, made here: one made in the upgrade's scope would hold its request for as
  // long as the socket lives.
  const upgradeFailed = (cause: Error) => deps.log.debug('A socket failed during its upgrade', { cause });
  server.on('upgrade', (req, socket, head) => {
    // Node hands the socket over without an error listener, and ws adds its own only in handleUpgrade: a client
    // that resets the connection while its credentials are being read would otherwise crash the process.
    socket.on('error', upgradeFailed);
    acceptUpgrade(deps, req).then(
      (refusal) => {
        if (refusal) return refuse(socket, refusal.status, refusal.message);
        wss.handleUpgrade(req, socket, head, (ws) => {
          // From here ws listens for the socket's errors itself.
          socket.off('error', upgradeFailed);
          wss.emit('connection', ws, req);
        });
      },
      (cause) => {
        deps.log.error('Socket upgrade failed', { cause });
        refuse(socket, 500, 'Internal Server Error');
      },
    );
  });

  const notifyReconnect = () => handler.broadcastReconnectNotification();
  return { server, wss, drain: (deadlineMs) => drain(server, wss, notifyReconnect, deadlineMs, deps.log) };
}

/** Checks a socket before it opens: the path, the Origin (CSRF), and the credentials in its headers. */
async function acceptUpgrade(
  deps: Deps,
  req: IncomingMessage,
): Promise<{ status: number; message: string } | null> {
  const { pathname } = requestTarget(req.url ?? '/');
  if (pathname !== '/trpc' && pathname !== '/ws') return { status: 404, message: 'Not Found' };
  if (!originAllowed(deps, req)) return { status: 403, message: 'Forbidden' };
  // Header credentials are resolved here, so the socket is counted as its user's (or as signed out) from the start.
  const credentials = credentialsOf(req.headers);
  if (!credentials) return null;
  const { auth } = await resolveCredentials(forkOnUse(deps.orm), deps, credentials);
  // A stale cookie reads as signed out, as over HTTP; a wrong token is refused.
  if (!auth && credentials.kind === 'token') return { status: 401, message: 'Unauthorized' };
  if (auth) rememberUpgradeAuth(req, auth);
  return null;
}

function refuse(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
