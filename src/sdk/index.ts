/**
 * The typed client for scripts: `createParleyClient({ url, token })` gives the same procedures, inputs and outputs
 * the web app uses. Queries and mutations go over HTTP (batched); subscriptions over one WebSocket, opened on the
 * first subscription and closed when the last one ends.
 */
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import { observable } from '@trpc/server/observable';
import WebSocket from 'ws';
import type { AppRouter } from '../server/router.ts';
import { socketCloseCodes } from '../shared/socket.ts';

export { TRPCClientError } from '@trpc/client';
export type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
export type { AppRouter };

export interface ParleyClientOptions {
  /** Where Parley is served, e.g. `http://localhost:3000`. */
  url: string;
  /** A personal API token from `auth.createToken`: sent as `Authorization: Bearer` and in `connectionParams`. */
  token?: string;
  /** A raw `Cookie` header, for a script that acts as a signed-in browser. */
  cookie?: string;
  /** An `Origin` header to send (tests of the CSRF rules use it). */
  origin?: string;
  /**
   * Called when the socket closes, with the server's close code. On 4401 (the session or token ended, or was never
   * valid) every open subscription then fails with a `TRPCClientError` saying so, and the socket is not reopened
   * until the next subscription: the same credentials would only be refused again.
   */
  onSocketClose?: (code: number | undefined) => void;
}

export interface ParleyConnection {
  client: TRPCClient<AppRouter>;
  /** Closes the socket, so a script can exit. */
  close(): Promise<void>;
}

export function connectParley(options: ParleyClientOptions): ParleyConnection {
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;

  // Node's WebSocket cannot set headers from the URL alone: a subclass of `ws` adds them to the upgrade.
  class HeaderWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const wsClient = createWSClient({
    url: `${base.replace(/^http/, 'ws')}/trpc`,
    WebSocket: HeaderWebSocket as unknown as typeof globalThis.WebSocket,
    // Kept open a moment after the last subscription ends, so the server's close code (4401) still arrives.
    lazy: { enabled: true, closeMs: 1_000 },
    connectionParams: options.token ? { token: options.token } : undefined,
    onClose: (cause) => {
      options.onSocketClose?.(cause?.code);
      if (cause?.code === socketCloseCodes.sessionEnded) {
        subscriptions.end(new TRPCClientError<AppRouter>(sessionEndedMessage));
        void wsClient.close();
      }
    },
  });
  const subscriptions = new OpenSubscriptions();
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: [subscriptions.link, wsLink({ client: wsClient })],
        // At most 10 calls a request: the server refuses batches over HTTP_MAX_BATCH_SIZE (never below 10).
        false: httpBatchLink({ url: `${base}/trpc`, headers, maxItems: 10 }),
      }),
    ],
  });
  return { client, close: () => wsClient.close() };
}

const sessionEndedMessage =
  'The server ended this connection: its session or token is no longer valid (signed out, revoked, banned or ' +
  'expired). Sign in again, or use a valid token.';

/** The subscriptions in flight, so that a socket closed for good can fail each with the reason. */
class OpenSubscriptions {
  private readonly failures = new Set<(error: TRPCClientError<AppRouter>) => void>();

  readonly link: TRPCLink<AppRouter> =
    () =>
    ({ op, next }) =>
      observable((observer) => {
        const fail = (error: TRPCClientError<AppRouter>) => observer.error(error);
        this.failures.add(fail);
        const subscription = next(op).subscribe(observer);
        return () => {
          this.failures.delete(fail);
          subscription.unsubscribe();
        };
      });

  end(error: TRPCClientError<AppRouter>): void {
    for (const fail of [...this.failures]) fail(error);
  }
}

/** The typed tRPC client itself: `client.auth.me.query()`. */
export function createParleyClient(options: ParleyClientOptions): TRPCClient<AppRouter> {
  return connectParley(options).client;
}
