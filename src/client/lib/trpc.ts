/**
 * The typed tRPC client the web app uses. Queries and mutations go over HTTP (batched); subscriptions over one
 * WebSocket. Plain JSON, no transformer, as the public API promises.
 * @see https://trpc.io/docs/client/links/splitLink
 */
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  splitLink,
  type TRPCLink,
  type TRPCWebSocketClient,
  wsLink,
} from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createSignal } from 'solid-js';
import type { AppRouter } from '../../server/router.ts';

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** What a banner needs to know about the socket: `idle` means no socket is needed right now. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting';

const [connection, setConnection] = createSignal<ConnectionStatus>('idle');

/** The socket's state, for the "Reconnecting…" banner. */
export { connection };

const socketUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/trpc`;

function openSocket(): { client: TRPCWebSocketClient; stopWatching: () => void } {
  // Lazy: the socket opens with the first subscription and closes when the last one ends, so a signed-out
  // visitor holds no connection. closeMs is how often an idle socket is checked, not a delay that matters.
  const client = createWSClient({ url: socketUrl, lazy: { enabled: true, closeMs: 30_000 } });
  const watcher = client.connectionState.subscribe({
    next(state) {
      if (state.state === 'idle') setConnection('idle');
      else if (state.state === 'pending') setConnection('connected');
      // A `connecting` state with an error is a reconnect after the socket was lost.
      else setConnection(state.error ? 'reconnecting' : 'connecting');
    },
  });
  return { client, stopWatching: () => watcher.unsubscribe() };
}

let socket = openSocket();

/**
 * The server reads the session cookie once, when the socket opens, so a socket keeps the identity it was opened
 * with. Call this whenever the signed-in user changes: the old socket closes (ending its subscriptions) and the
 * next subscription opens a new one that carries the new cookie.
 */
export function renewSocket(): void {
  const old = socket;
  old.stopWatching();
  socket = openSocket();
  setConnection('idle');
  void old.client.close();
}

/** Sends each subscription to whichever socket is current, so `renewSocket` needs no new tRPC client. */
const currentSocketLink: TRPCLink<AppRouter> = (runtime) => (opts) =>
  wsLink<AppRouter>({ client: socket.client })(runtime)(opts);

/**
 * Calls made in a room, whose socket is open anyway, many times an hour: over the socket each skips an HTTP request
 * and the server's reading of the session (the socket's was read when it opened), about a quarter of the server's
 * work for a send. A send cut off with the socket is retried with its clientId, so it is stored once.
 */
const socketCalls = new Set(['chat.send', 'chat.edit', 'chat.delete', 'chat.markRead', 'chat.typing']);

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription' || socketCalls.has(op.path),
      true: currentSocketLink,
      // An avatar is megabytes of base64, which the server accepts only on a request to that one path: send it
      // alone rather than in a batch.
      false: splitLink({
        condition: (op) => op.path === 'users.setAvatar',
        true: httpLink({ url: '/trpc' }),
        // At most 10 calls a request: the server refuses batches over HTTP_MAX_BATCH_SIZE (never below 10).
        false: httpBatchLink({ url: '/trpc', maxItems: 10 }),
      }),
    }),
  ],
});
