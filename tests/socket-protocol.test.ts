import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { type AnyTRPCRouter, initTRPC, TRPCError, tracked } from '@trpc/server';
import { applyWSSHandler, jsonEncoder } from '@trpc/server/adapters/ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { z } from 'zod';
import { EventFrames, liveTargetOf } from '../src/server/realtime/live-target.ts';
import { ParleySocket } from '../src/server/realtime/socket.ts';
import { serveTrpcSockets } from '../src/server/realtime/trpc-sockets.ts';
import { untrackedFrameTail } from '../src/server/realtime/ws-protocol.ts';
import { everyEnding, t } from './helpers/protocol-router.ts';
import { eventually } from './helpers/sockets.ts';

// Parley serves tRPC's WebSocket protocol itself instead of through tRPC's ws adapter, for memory and speed. The
// stock client must not see the difference: the same frames, sent to a server on each, get the same frames back
// (errors, batches, subscriptions' starts, events and stops, connectionParams and failed contexts included).

const never = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
const router = t.router({
  ...everyEnding,
  streamAsQuery: t.procedure.query(async function* () {
    yield 1;
  }),
  count: t.procedure
    .input(z.object({ to: z.number().max(3), lastEventId: z.string().nullish() }))
    .subscription(async function* ({ input }) {
      for (let n = Number(input.lastEventId ?? 0) + 1; n <= input.to; n++) yield tracked(String(n), { n });
      yield 'untracked';
    }),
  forever: t.procedure.subscription(async function* ({ signal }) {
    yield 'first';
    await never(signal);
  }),
  // Over Parley's socket its second event is written straight to the socket and the stream parks (as a room's
  // live events are); tRPC's adapter has no target for it, so it goes on as a generator: the client sees the same.
  parked: t.procedure.subscription(async function* ({ signal }) {
    yield 'first';
    const target = liveTargetOf(signal);
    if (!target) {
      yield 'second';
      await never(signal);
      return;
    }
    new EventFrames(() => Buffer.from(untrackedFrameTail('second'))).write(target);
    target.park();
  }),
  breaks: t.procedure.subscription(async function* () {
    yield 'before';
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Not any more.' });
  }),
  notAStream: t.procedure.subscription(() => 42 as never),
});

function createContext(req: IncomingMessage, params: Record<string, string | undefined> | null) {
  if (req.url?.includes('refuse')) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Bad token.' });
  return Promise.resolve({ user: params?.user ?? (req.headers['x-user'] as string | undefined) ?? null });
}

test('a crowd that connected together is pinged over several sweeps, at most twice the steady rate in each', async () => {
  // A sweep every 200 ms; 400 sockets need 40 pings a sweep to be pinged every 2 s, so at most 80 go in one.
  const url = await serveKeepingAlive({ pingMs: 2_000, pongWaitMs: 5_000 });
  const firstPingAt: number[] = [];
  const sockets = await Promise.all(
    Array.from({ length: 400 }, async () => {
      const socket = new WebSocket(url);
      let pinged = false;
      socket.on('message', (data: Buffer) => {
        if (data.toString() !== 'PING') return;
        if (!pinged) firstPingAt.push(performance.now());
        pinged = true;
        socket.send('PONG');
      });
      await new Promise((resolve) => socket.once('open', resolve));
      return socket;
    }),
  );
  try {
    await eventually(() => (firstPingAt.length === 400 ? true : undefined), 'every socket pinged', 10_000);
    // Pings of one sweep arrive within a few milliseconds; sweeps are 200 ms apart.
    const bursts: number[] = [];
    firstPingAt.forEach((at, i) => {
      if (i === 0 || at - firstPingAt[i - 1]! > 50) bursts.push(0);
      bursts[bursts.length - 1]!++;
    });
    expect(bursts.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...bursts)).toBeLessThanOrEqual(80);
  } finally {
    for (const socket of sockets) socket.terminate();
  }
});

const onError = () => {};
const servers: WebSocketServer[] = [];
let parley: { url: string; reconnect(): void };
let reference: { url: string; reconnect(): void };

const listen = (wss: WebSocketServer) =>
  new Promise<string>((resolve) =>
    wss.on('listening', () => resolve(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`)),
  );

/** Parley's handler alone, on a port of its own, keeping its sockets alive as `keepAlive` says; its URL. */
async function serveKeepingAlive(keepAlive: { pingMs: number; pongWaitMs: number }): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: ParleySocket });
  servers.push(wss);
  const url = listen(wss);
  serveTrpcSockets(wss, {
    router,
    encode: (message: unknown) => JSON.stringify(message),
    decode: jsonEncoder.decode,
    createContext: ({ req }) => createContext(req, null),
    maxBatchSize: 3,
    keepAlive,
    onError,
  });
  return url;
}

/** Serves `served` through Parley's handler and through tRPC's adapter, each on a port of its own. */
async function servePair(served: AnyTRPCRouter) {
  const lean = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: ParleySocket });
  const stock = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(lean, stock);
  const [leanUrl, stockUrl] = [listen(lean), listen(stock)];
  const handler = serveTrpcSockets(lean, {
    router: served,
    encode: (message: unknown) => JSON.stringify(message),
    decode: jsonEncoder.decode,
    createContext: ({ req, connectionParams }) => createContext(req, connectionParams),
    maxBatchSize: 3,
    keepAlive: { pingMs: 30_000, pongWaitMs: 5_000 },
    onError,
  });
  const stockHandler = applyWSSHandler({
    wss: stock,
    router: served,
    createContext: ({ req, info }) => createContext(req, info.connectionParams),
    maxBatchSize: 3,
    onError,
  });
  return {
    parley: { url: await leanUrl, reconnect: handler.broadcastReconnectNotification },
    reference: { url: await stockUrl, reconnect: stockHandler.broadcastReconnectNotification },
  };
}

beforeAll(async () => {
  ({ parley, reference } = await servePair(router));
});

afterAll(() => {
  for (const wss of servers) {
    for (const client of wss.clients) client.terminate();
    wss.close();
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens a socket, sends each frame once the answers to the one before have stopped coming, and returns what came
 * back by request id (the order within each id kept): a slow answer on a loaded machine may come after the next
 * frame went, and must not make the two servers look different.
 */
async function exchange(
  url: string,
  frames: (string | Buffer)[],
  path = '/',
  server?: { reconnect(): void },
) {
  const socket = new WebSocket(url + path);
  const received: string[] = [];
  let closed: number | null = null;
  socket.on('message', (data: Buffer) => received.push(data.toString()));
  socket.on('close', (code) => {
    closed = code;
  });
  await new Promise((resolve) => socket.once('open', resolve));
  const quiet = async () => {
    for (let heard = -1; heard !== received.length; await sleep(100)) heard = received.length;
  };
  for (const frame of frames) {
    socket.send(frame, { binary: typeof frame !== 'string' });
    await quiet();
  }
  server?.reconnect();
  await quiet();
  socket.close();
  await sleep(20);
  return { frames: byRequest(received), closed };
}

/** Frames in their order per request id; requests answered side by side may interleave either way. */
function byRequest(frames: string[]): string[] {
  const idOf = (frame: string) => {
    try {
      return JSON.stringify((JSON.parse(frame) as { id?: unknown }).id);
    } catch {
      return frame;
    }
  };
  const ids = [...new Set(frames.map(idOf))].sort();
  return ids.flatMap((id) => frames.filter((frame) => idOf(frame) === id));
}

const call = (id: unknown, method: string, path: string, input?: unknown, extra: object = {}) =>
  JSON.stringify({ id, method, params: { path, input, ...extra } });

const conversations: [string, (string | Buffer)[], string?][] = [
  [
    'queries and mutations, with and without jsonrpc',
    [
      call(1, 'query', 'echo', { text: 'hi' }),
      JSON.stringify({
        id: 2,
        jsonrpc: '2.0',
        method: 'mutation',
        params: { path: 'add', input: { a: 1, b: 2 } },
      }),
      call('three', 'query', 'echo', { text: 'far too long' }),
      call(4, 'mutation', 'conflict'),
      call(5, 'mutation', 'crash'),
      call(6, 'query', 'missing.procedure'),
      call(7, 'query', 'streamAsQuery'),
      call(8, 'subscription', 'notAStream'),
    ],
  ],
  [
    'frames that are not calls',
    [
      '{not json',
      call(null, 'query', 'echo', { text: 'x' }),
      JSON.stringify({ id: 1, method: 'explode' }),
      'PING',
      'PONG',
      Buffer.from(call(2, 'query', 'echo', { text: 'bin' })),
    ],
  ],
  [
    'batches, within and over the limit',
    [
      JSON.stringify([
        { id: 1, method: 'query', params: { path: 'echo', input: { text: 'a' } } },
        { id: 2, method: 'mutation', params: { path: 'add', input: { a: 2, b: 2 } } },
      ]),
      JSON.stringify(
        [1, 2, 3, 4].map((id) => ({ id, method: 'query', params: { path: 'echo', input: {} } })),
      ),
      JSON.stringify([1, 2, 3, 4].map((id) => ({ id, method: 'subscription.stop' }))),
    ],
  ],
  [
    'subscriptions: events, resume, stop, duplicates and failures',
    [
      call(1, 'subscription', 'count', { to: 3 }),
      call(2, 'subscription', 'count', { to: 3 }, { lastEventId: '1' }),
      call(3, 'subscription', 'forever'),
      call(3, 'subscription', 'forever'),
      JSON.stringify({ id: 3, method: 'subscription.stop' }),
      call(4, 'subscription', 'breaks'),
      call(5, 'subscription', 'count', { to: 9 }),
      call(6, 'subscription', 'forever'),
      call(7, 'subscription', 'parked'),
      call(7, 'subscription', 'parked'),
      JSON.stringify({ id: 7, method: 'subscription.stop' }),
      call(7, 'subscription', 'parked'),
    ],
  ],
];

describe('the same frames get the same answers from Parley and from tRPC’s adapter', () => {
  test.each(conversations)('%s', async (_, frames) => {
    const [ours, theirs] = await Promise.all([exchange(parley.url, frames), exchange(reference.url, frames)]);
    expect(ours).toEqual(theirs);
    expect(ours.frames.length).toBeGreaterThan(frames.length - 3);
  });

  test('connectionParams, good and malformed, and a context that fails', async () => {
    const params = [
      JSON.stringify({ method: 'connectionParams', data: { user: 'ann' } }),
      call(1, 'query', 'echo', { text: 'p' }),
    ];
    const badParams = [
      JSON.stringify({ method: 'connectionParams', data: { user: 7 } }),
      call(1, 'query', 'echo', { text: 'p' }),
    ];
    for (const [frames, path] of [
      [params, '/?connectionParams=1'],
      [badParams, '/?connectionParams=1'],
      [[call(1, 'query', 'echo', { text: 'r' })], '/refuse'],
    ] as const) {
      const [ours, theirs] = await Promise.all([
        exchange(parley.url, [...frames], path),
        exchange(reference.url, [...frames], path),
      ]);
      expect(ours).toEqual(theirs);
    }
  });

  test('the reconnect notification', async () => {
    const frames = [call(1, 'subscription', 'forever')];
    const [ours, theirs] = await Promise.all([
      exchange(parley.url, frames, '/', parley),
      exchange(reference.url, frames, '/', reference),
    ]);
    expect(ours).toEqual(theirs);
  });
});

test('a router with an output transformer: data and errors go through it, as through tRPC’s adapter', async () => {
  // Parley's router has none (the wire is plain JSON), but the handler must not depend on that.
  const boxed = initTRPC.context<{ user: string | null }>().create({
    isDev: false,
    sse: { enabled: false },
    transformer: {
      input: { serialize: (value) => value, deserialize: (value) => value },
      output: { serialize: (value) => ({ boxed: value }), deserialize: (value) => value.boxed },
    },
  });
  const { parley: ours, reference: theirs } = await servePair(
    boxed.router({
      echo: boxed.procedure.input(z.object({ text: z.string().max(5) })).query(({ input }) => input.text),
      conflict: boxed.procedure.mutation(() => {
        throw new TRPCError({ code: 'CONFLICT', message: 'Already there.' });
      }),
      count: boxed.procedure.subscription(async function* () {
        yield tracked('1', { n: 1 });
      }),
    }),
  );
  const frames = [
    call(1, 'query', 'echo', { text: 'hi' }),
    call(2, 'query', 'echo', { text: 'far too long' }),
    call(3, 'mutation', 'conflict'),
    call(4, 'subscription', 'count'),
  ];
  const [parleys, tRPCs] = await Promise.all([exchange(ours.url, frames), exchange(theirs.url, frames)]);
  expect(parleys).toEqual(tRPCs);
  expect(parleys.frames[0]).toContain('"boxed":"hi"');
});

test('the stock client queries, subscribes, resumes and stops over Parley’s sockets', async () => {
  const client = createWSClient({
    url: parley.url,
    connectionParams: { user: 'ben' },
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const trpc = createTRPCClient<typeof router>({ links: [wsLink({ client })] });
  try {
    expect(await trpc.echo.query({ text: 'yo' })).toEqual({ text: 'yo', user: 'ben' });
    await expect(trpc.conflict.mutate()).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    const events: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      trpc.count.subscribe(
        { to: 3, lastEventId: '1' },
        { onData: (event) => events.push(event), onComplete: resolve, onError: reject },
      );
    });
    expect(events).toEqual([{ id: '2', data: { n: 2 } }, { id: '3', data: { n: 3 } }, 'untracked']);
    const stopped = new Promise<unknown>((resolve) => {
      const subscription = trpc.forever.subscribe(undefined, {
        onData: (event) => {
          subscription.unsubscribe();
          resolve(event);
        },
      });
    });
    expect(await stopped).toBe('first');
  } finally {
    client.close();
  }
});

test('a quiet client is pinged, and one that stops answering is cut off', async () => {
  const url = await serveKeepingAlive({ pingMs: 300, pongWaitMs: 300 });
  const open = async (answers: boolean) => {
    const socket = new WebSocket(url);
    const heard = { pings: 0, closed: false };
    socket.on('message', (data: Buffer) => {
      if (data.toString() !== 'PING') return;
      heard.pings++;
      if (answers) socket.send('PONG');
    });
    socket.on('close', () => {
      heard.closed = true;
    });
    return { socket, heard };
  };
  const [answering, silent] = await Promise.all([open(true), open(false)]);
  await sleep(4_500);
  expect(answering.heard).toMatchObject({ closed: false });
  expect(answering.heard.pings).toBeGreaterThanOrEqual(2);
  expect(silent.heard).toEqual({ pings: 1, closed: true });
  answering.socket.close();
});
