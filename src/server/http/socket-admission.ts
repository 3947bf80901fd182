import type { IncomingMessage } from 'node:http';
import { TRPCError } from '@trpc/server';
import type { WebSocket } from 'ws';
import { socketCloseCodes } from '../../shared/socket.ts';
import { clientIp } from '../context.ts';
import type { Deps } from '../deps.ts';
import { awaitsConnectionParams } from './request-target.ts';

/** Counts open sockets per key; `admit` gives a release function, or null when the key is at its limit. */
function socketCounter(limit: number) {
  const open = new Map<string, number>();
  return {
    open: (key: string) => open.get(key) ?? 0,
    admit(key: string): (() => void) | null {
      const count = open.get(key) ?? 0;
      if (count >= limit) return null;
      open.set(key, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      };
    },
  };
}

export type SocketAdmission = ReturnType<typeof createSocketAdmission>;

/**
 * Who may hold a socket, counted from the upgrade: a socket not signed in by its headers takes one of its address's
 * signed-out places at once (WS_MAX_ANONYMOUS_PER_IP), even one that promises connectionParams and never sends
 * them; those have WS_CONNECTION_PARAMS_TIMEOUT_MS to send them. A socket that signs in trades its place for one
 * of its user's (WS_MAX_CONNECTIONS_PER_USER). Refused sockets close with 4429, late ones with 4408.
 */
export function createSocketAdmission(deps: Deps) {
  const { limits, trustProxy } = deps.config;
  const users = socketCounter(limits.wsMaxConnectionsPerUser);
  const anonymous = socketCounter(limits.wsMaxAnonymousPerIp);
  const signedOutPlace = new WeakMap<WebSocket, () => void>();
  const paramsDeadline = new WeakMap<WebSocket, NodeJS.Timeout>();

  /** After tRPC has sent its answer, if any: the close code says why the socket went. */
  const closeSoon = (socket: WebSocket, code: number, reason: string) =>
    setImmediate(() => socket.close(code, reason));

  return {
    /** As the socket opens; false when it was refused (and is closing). */
    opened(socket: WebSocket, req: IncomingMessage, signedIn: boolean): boolean {
      if (!signedIn) {
        const ip = clientIp(req, trustProxy);
        const release = anonymous.admit(ip);
        if (!release) {
          const reason = `${anonymous.open(ip)} signed-out connections are open from your address, the most allowed.`;
          socket.close(socketCloseCodes.tooManyConnections, reason);
          return false;
        }
        signedOutPlace.set(socket, release);
        socket.once('close', release);
      }
      if (awaitsConnectionParams(req.url)) {
        const deadline = setTimeout(
          () => socket.close(socketCloseCodes.paramsTimeout, 'No connectionParams in time'),
          limits.wsConnectionParamsTimeoutMs,
        );
        paramsDeadline.set(socket, deadline);
        socket.once('close', () => clearTimeout(deadline));
      }
      return true;
    },

    /** The socket's connectionParams arrived (or none were due): the deadline no longer applies. */
    paramsArrived(socket: WebSocket): void {
      clearTimeout(paramsDeadline.get(socket));
    },

    /**
     * The socket is signed in as `userId`: it takes one of the user's places and gives back its signed-out one.
     * Over the user's limit it is refused (TOO_MANY_REQUESTS, then closed with 4429).
     */
    signedIn(socket: WebSocket, userId: number): () => void {
      const release = users.admit(String(userId));
      if (!release) {
        const message = `You have ${users.open(String(userId))} connections open, the most allowed. Close a tab and try again.`;
        closeSoon(socket, socketCloseCodes.tooManyConnections, 'Too many connections');
        throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message });
      }
      signedOutPlace.get(socket)?.();
      return release;
    },

    /** A socket whose credentials failed: UNAUTHORIZED, then closed with 4401. */
    refuseCredentials(socket: WebSocket, error: TRPCError): never {
      closeSoon(socket, socketCloseCodes.sessionEnded, 'Invalid credentials');
      throw error;
    },
  };
}
