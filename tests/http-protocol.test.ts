import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TRPCError } from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { awaitsConnectionParams, requestTarget } from '../src/server/http/request-target.ts';
import { createTrpcHttpHandler } from '../src/server/http/trpc-http.ts';
import { everyEnding, t } from './helpers/protocol-router.ts';

// Parley answers the usual HTTP calls (GET queries, POST mutations, JSON, batched or not) itself instead of through
// tRPC's adapter, for speed. A script's client must not see the difference: the same requests, sent to a server
// on each, get the same status, headers and body, errors included, and the unusual ones are handed to tRPC.

// Middlewares that pass things on, as Parley's do: the context grows, inputs merge, one may refuse or crash. Parley
// runs a procedure's middlewares itself (src/server/procedure-call.ts); what they see must be what tRPC gives.
const signedIn = t.procedure.use(({ ctx, meta, next }) => {
  if (ctx.user === 'mallory') throw new TRPCError({ code: 'FORBIDDEN', message: 'Not you.' });
  if (ctx.user === 'crash') throw new Error('secret detail');
  return next({ ctx: { greeting: `hello ${ctx.user ?? 'nobody'}`, meta: meta ?? null } });
});

const router = t.router({
  ...everyEnding,
  greet: signedIn
    .input(z.object({ name: z.string().max(10) }))
    .use(({ ctx, input, next }) => next({ ctx: { shout: `${ctx.greeting}, ${input.name.toUpperCase()}` } }))
    .input(z.object({ times: z.number().int().max(3) }))
    .mutation(({ ctx, input, path }) => ({ ctx, input, path })),
  // A middleware that forgets to call `next`.
  forgetful: t.procedure.use((async () => undefined) as never).mutation(() => 'never'),
  nothing: t.procedure.query(() => undefined),
  busy: t.procedure.mutation(() => {
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'Slow down.' });
  }),
  changes: t.procedure.subscription(async function* () {
    yield 1;
  }),
});

async function createContext({ req }: { req: IncomingMessage }) {
  if (req.headers['x-token'] === 'bad') throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Bad token.' });
  return { user: typeof req.headers['x-user'] === 'string' ? req.headers['x-user'] : null };
}

const headersFor = (errors: readonly TRPCError[]): Record<string, string> =>
  errors.some((error) => error.code === 'TOO_MANY_REQUESTS') ? { 'Retry-After': '7' } : {};
const limits = { maxBodySize: 200, maxBatchSize: 3 };

/** Which way each request to Parley's handler was answered. */
const answeredBy: string[] = [];
const lean = createTrpcHttpHandler({ router, createContext, headersFor, onError: () => {} });
let parley: Server;
let reference: Server;

const serve = (handler: Parameters<typeof createServer>[1]) =>
  new Promise<Server>((resolve) => {
    const server = createServer(handler).listen(0, '127.0.0.1', () => resolve(server));
  });
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const split = (req: IncomingMessage) => {
  const url = new URL(req.url ?? '/', 'http://local');
  return { path: url.pathname.slice('/trpc/'.length), searchParams: url.searchParams };
};

beforeAll(async () => {
  parley = await serve((req, res) => {
    void lean({ req, res, ...split(req), ...limits }).then((way) => answeredBy.push(way));
  });
  reference = await serve((req, res) => {
    void nodeHTTPRequestHandler({
      router,
      req,
      res,
      path: split(req).path,
      createContext,
      ...limits,
      responseMeta: ({ errors }) => ({ headers: headersFor(errors) }),
    });
  });
});

afterAll(async () => {
  await Promise.all([parley, reference].map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Ask {
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

async function answerOf(server: Server, ask: Ask) {
  const response = await fetch(`${urlOf(server)}/trpc/${ask.path}`, {
    method: ask.method ?? 'GET',
    body: ask.body,
    headers: ask.headers,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    vary: response.headers.get('vary'),
    retryAfter: response.headers.get('retry-after'),
    allow: response.headers.get('allow'),
    body: await response.text(),
  };
}

const json = { 'content-type': 'application/json' };
const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));

/** Requests Parley answers itself: the usual calls, and every error a call can end in. */
const usual: [string, Ask][] = [
  ['a query', { path: `echo?input=${input({ text: 'hi' })}`, headers: { 'x-user': 'ann' } }],
  ['a query whose input is invalid', { path: `echo?input=${input({ text: 'too long' })}` }],
  ['a query without input', { path: 'echo' }],
  ['a query answering nothing', { path: 'nothing' }],
  ['a query whose input is not JSON', { path: 'echo?input=%7Bnope' }],
  ['a mutation', { path: 'add', method: 'POST', body: '{"a":1,"b":2}', headers: json }],
  [
    'a mutation with a charset',
    {
      path: 'add',
      method: 'POST',
      body: '{"a":1,"b":2}',
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    },
  ],
  ['a mutation refused', { path: 'conflict', method: 'POST', headers: json }],
  [
    'a mutation through middlewares',
    {
      path: 'greet',
      method: 'POST',
      body: '{"name":"ann","times":2}',
      headers: { ...json, 'x-user': 'ann' },
    },
  ],
  [
    'a mutation whose second input is invalid',
    { path: 'greet', method: 'POST', body: '{"name":"ann","times":9}', headers: json },
  ],
  [
    'a mutation refused by a middleware',
    {
      path: 'greet',
      method: 'POST',
      body: '{"name":"ann","times":1}',
      headers: { ...json, 'x-user': 'mallory' },
    },
  ],
  [
    'a mutation whose middleware crashes',
    {
      path: 'greet',
      method: 'POST',
      body: '{"name":"ann","times":1}',
      headers: { ...json, 'x-user': 'crash' },
    },
  ],
  ['a mutation whose middleware answers nothing', { path: 'forgetful', method: 'POST', headers: json }],
  ['a mutation that crashes', { path: 'crash', method: 'POST', headers: json }],
  ['a mutation told to wait', { path: 'busy', method: 'POST', headers: json }],
  [
    'a body too large',
    { path: 'add', method: 'POST', body: `{"a":1,"b":2,"pad":"${'x'.repeat(300)}"}`, headers: json },
  ],
  ['a body that is not JSON', { path: 'add', method: 'POST', body: '{"a":', headers: json }],
  [
    'a context that fails',
    { path: 'add', method: 'POST', body: '{"a":1,"b":2}', headers: { ...json, 'x-token': 'bad' } },
  ],
  [
    'a batch of queries',
    { path: `echo,nothing,echo?batch=1&input=${input({ 0: { text: 'a' }, 2: { text: 'toolong' } })}` },
  ],
  [
    'a batch of mutations, all failing the same way',
    { path: 'conflict,conflict?batch=1', method: 'POST', body: '{}', headers: json },
  ],
  [
    'a batch of mutations, some failing',
    { path: 'add,conflict,busy?batch=1', method: 'POST', body: '{"0":{"a":2,"b":2}}', headers: json },
  ],
  [
    'a batch whose input is not an object',
    { path: 'add,add?batch=1', method: 'POST', body: '[1,2]', headers: json },
  ],
];

/** Requests left to tRPC's adapter. */
const unusual: [string, Ask][] = [
  ['an unknown procedure', { path: 'missing' }],
  ['a query by POST', { path: 'echo', method: 'POST', body: '{"text":"hi"}', headers: json }],
  ['a mutation by GET', { path: 'add' }],
  ['a batch over the limit', { path: 'nothing,nothing,nothing,nothing?batch=1' }],
  ['a batch mixing queries and an unknown path', { path: 'echo,missing?batch=1' }],
  ['a subscription over HTTP', { path: 'changes' }],
  ['a streaming batch', { path: 'nothing?batch=1', headers: { 'trpc-accept': 'application/jsonl' } }],
  ['a mutation without a content type', { path: 'add', method: 'POST', body: '{"a":1,"b":2}' }],
  [
    'a form',
    {
      path: 'add',
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
  ],
  ['a path badly encoded', { path: 'ec%E0ho' }],
  ['HEAD', { path: 'nothing', method: 'HEAD' }],
];

describe("Parley's HTTP calls", () => {
  test.each(usual)('answer %s itself, exactly as tRPC would', async (_, ask) => {
    const before = answeredBy.length;
    const [ours, theirs] = await Promise.all([answerOf(parley, ask), answerOf(reference, ask)]);
    expect(ours).toEqual(theirs);
    expect(answeredBy.slice(before)).toEqual(['here']);
  });

  test.each(unusual)('hand %s to tRPC', async (_, ask) => {
    const before = answeredBy.length;
    const [ours, theirs] = await Promise.all([answerOf(parley, ask), answerOf(reference, ask)]);
    expect(ours).toEqual(theirs);
    expect(answeredBy.slice(before)).toEqual(['trpc']);
  });

  test('tell apart a batch whose calls all succeeded from one with failures', async () => {
    const good = await answerOf(parley, {
      path: 'add,add?batch=1',
      method: 'POST',
      body: '{"0":{"a":1,"b":1},"1":{"a":2,"b":2}}',
      headers: json,
    });
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body)).toEqual([{ result: { data: 2 } }, { result: { data: 4 } }]);
    const mixed = await answerOf(parley, {
      path: 'add,busy?batch=1',
      method: 'POST',
      body: '{"0":{"a":1,"b":1}}',
      headers: json,
    });
    expect(mixed.status).toBe(207);
    expect(mixed.retryAfter).toBe('7');
  });
});

// The server reads a plain call's target without a URL parser: whatever it takes that way, it must read as one would.
test.each([
  '/trpc/chat.send',
  '/trpc/chat.send,chat.typing',
  '/trpc/a..',
  '/trpc/..',
  '/trpc/.',
  '/trpc/chat.send/../../images/x',
  '/trpc/a\\..\\b',
  '/trpc/chat%2esend',
  '/trpc/chat.send?batch=1&input=%7B%7D',
  '/trpc/chat.send#x',
  '/trpc/chat send',
  '/trpc/',
  '/images/../trpc/chat.send',
  '/trpc',
  '/ws',
  '/ws/',
  '/trpc?connectionParams=1',
  '/ws/../trpc',
  '/wss',
])('read the request target %s as a URL parser would', (target) => {
  const read = requestTarget(target);
  const url = new URL(target, 'http://local');
  expect(read.pathname).toBe(url.pathname);
  expect([...read.searchParams]).toEqual([...url.searchParams]);
});

test.each([
  ['/trpc', false],
  ['/trpc?connectionParams=1', true],
  ['/ws?connectionParams=1&x=2', true],
  ['/trpc?connectionParams=0', false],
  ['/trpc?other=1', false],
  [undefined, false],
])('a socket at %s waits for connectionParams: %s', (target, awaits) => {
  expect(awaitsConnectionParams(target)).toBe(awaits);
});
