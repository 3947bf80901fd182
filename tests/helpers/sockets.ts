/**
 * WebSocket helpers: a tRPC socket client authenticated exactly one way, a raw upgrade to read the server's
 * refusal, and a watcher for `auth.onSession` that a test can await event by event.
 */
import { createTRPCClient, createWSClient, type TRPCClient, wsLink } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import WebSocket from 'ws';
import type { AppRouter } from '../../src/server/router.ts';
import type { ParleyError } from './errors.ts';

type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
export type SessionEvent = Yielded<inferRouterOutputs<AppRouter>['auth']['onSession']>;

/** Polls `probe` until it gives a value; fails with `what` after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function socketUrl(httpUrl: string, path = '/trpc'): string {
  return `${httpUrl.replace(/^http/, 'ws')}${path}`;
}

export interface SessionWatch {
  events: SessionEvent[];
  errors: ParleyError[];
  /** The next event not yet read by `next()`. */
  next(): Promise<SessionEvent>;
  /** The first error the subscription failed with. */
  error(): Promise<ParleyError>;
  /** Resolves once the server has ended the subscription ("stopped"). */
  ended(): Promise<true>;
  stop(): void;
}

/** Subscribes to `auth.onSession`, as an open tab does to learn when its session ends. */
export function watchSession(client: TRPCClient<AppRouter>): SessionWatch {
  const events: SessionEvent[] = [];
  const errors: ParleyError[] = [];
  let read = 0;
  let completed = false;
  const subscription = client.auth.onSession.subscribe(undefined, {
    onData: (event) => events.push(event),
    onError: (error) => errors.push(error),
    onComplete: () => {
      completed = true;
    },
  });
  return {
    events,
    errors,
    next: () => eventually(() => (read < events.length ? events[read++] : undefined), 'a session event'),
    error: () => eventually(() => errors[0], 'a subscription error'),
    ended: () => eventually(() => (completed ? true : undefined), 'the feed to end'),
    stop: () => subscription.unsubscribe(),
  };
}

export interface SocketClient {
  client: TRPCClient<AppRouter>;
  /** Close codes seen so far, in order. */
  closes: (number | undefined)[];
  close(): Promise<void>;
}

/**
 * A tRPC client over one socket that is open from the start and authenticated only by what is given here: a
 * header at the upgrade, or `connectionParams` after it. (The SDK sends a token both ways at once.)
 */
export function socketClient(
  httpUrl: string,
  options: { headers?: Record<string, string>; connectionParams?: Record<string, string> },
): SocketClient {
  const closes: (number | undefined)[] = [];
  const headers = options.headers ?? {};
  class HeaderSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const wsClient = createWSClient({
    url: socketUrl(httpUrl),
    WebSocket: HeaderSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: options.connectionParams,
    onClose: (cause) => closes.push(cause?.code),
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
  return { client, closes, close: () => wsClient.close() };
}

export type UpgradeResult = { status: 101; socket: WebSocket } | { status: number; socket: null };

/** Opens a bare socket with these headers; the HTTP status tells whether the server took it (101) or refused. */
export function upgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0, socket: null });
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

/** Resolves with the close code once the socket closes (from either side). */
export function closed(socket: WebSocket): Promise<number> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}
