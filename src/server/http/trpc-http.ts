import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  type inferRouterContext,
  TRPCError,
} from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { getHTTPStatusCode, type TRPCRequestInfo } from '@trpc/server/http';
import { callProcedure, procedureAt } from '../procedure-call.ts';

/** One request's place in the router and its limits. */
export interface TrpcHttpRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** What follows `/trpc/`: one procedure's path, or several separated by commas in a batch. */
  path: string;
  /** The request's query string, parsed. */
  searchParams: URLSearchParams;
  maxBodySize: number;
  maxBatchSize: number;
}

export interface TrpcHttpOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  createContext(opts: {
    req: IncomingMessage;
    res: ServerResponse;
    info: Pick<TRPCRequestInfo, 'isBatchCall'>;
  }): Promise<inferRouterContext<TRouter>>;
  /** Extra headers for an answer whose calls failed with these errors (Retry-After, say). */
  headersFor(errors: readonly TRPCError[]): Record<string, string>;
  onError(error: TRPCError, path: string): void;
}

/** A call of the request: the procedure at its path. */
interface Call {
  path: string;
  procedure: AnyTRPCProcedure;
}

type Inputs = { ok: true; values: unknown[] } | { ok: false; error: TRPCError };

/**
 * tRPC's HTTP protocol for the calls scripts and the web client make — queries by GET, mutations by POST, JSON,
 * batched or not — answered with one `res.end()`. tRPC's own adapter turns every request into a fetch `Request`
 * with AbortSignals and web streams both ways, about a third of an HTTP call's CPU (docs/performance.md, entry
 * 22). The calls themselves still go through tRPC's procedures (middlewares, input validation) and its error
 * shapes. Anything else — a streaming batch, an unknown path, a method that does not fit the procedure, form data,
 * HEAD — is handed to tRPC's adapter, whose answers (and errors) are the reference this one follows.
 */
export function createTrpcHttpHandler<TRouter extends AnyTRPCRouter>(options: TrpcHttpOptions<TRouter>) {
  const { router } = options;

  /** The calls of a request this handler answers itself, or null for tRPC's adapter. */
  const leanCalls = async (request: TrpcHttpRequest, isBatch: boolean): Promise<Call[] | null> => {
    const { req, searchParams } = request;
    const wanted = req.method === 'GET' ? 'query' : req.method === 'POST' ? 'mutation' : null;
    if (!wanted || !jsonOrNone(req) || streamingAsked(req) || searchParams.has('connectionParams'))
      return null;
    const paths = isBatch ? request.path.split(',') : [request.path];
    if (paths.length > request.maxBatchSize) return null;
    const calls: Call[] = [];
    for (const encoded of paths) {
      const path = decodedPath(encoded);
      const procedure = path === null ? null : await procedureAt(router, path);
      if (!path || !procedure || procedure._def.type !== wanted) return null;
      calls.push({ path, procedure });
    }
    return calls;
  };

  /** Answers one request; says which way: here, or through tRPC's adapter. */
  return async (request: TrpcHttpRequest): Promise<'here' | 'trpc'> => {
    const { req, res, searchParams } = request;
    const isBatch = searchParams.get('batch') === '1';
    const calls = await leanCalls(request, isBatch);
    if (!calls) {
      await fallBack(options, request);
      return 'trpc';
    }
    const inputs = parseInputs(
      req.method === 'GET' ? searchParams.get('input') : await readBody(req, request.maxBodySize),
      isBatch,
      calls.length,
    );
    const context = await options
      .createContext({ req, res, info: { isBatchCall: isBatch } })
      .then((ctx) => ({ ctx, error: null }))
      .catch((cause: unknown) => ({ ctx: undefined, error: getTRPCErrorFromUnknown(cause) }));

    const outcomes = await Promise.all(
      calls.map(async ({ path, procedure }, index) => {
        const type = procedure._def.type;
        const input = inputs.ok ? inputs.values[index] : undefined;
        try {
          if (context.error) throw context.error;
          const data = await callProcedure(procedure, {
            path,
            type,
            ctx: context.ctx,
            batchIndex: index,
            signal: undefined,
            getRawInput: rawInputOf(inputs, index),
          });
          return { json: { result: { data } }, error: null };
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          options.onError(error, path);
          const shape = getTRPCErrorShape({
            config: router._def._config,
            ctx: context.ctx,
            error,
            input,
            path,
            type,
          });
          return { json: { error: shape }, error };
        }
      }),
    );

    const json = outcomes.map((outcome) => outcome.json);
    const errors = outcomes.flatMap((outcome) => (outcome.error ? [outcome.error] : []));
    const status = getHTTPStatusCode(
      json,
      outcomes.map((outcome) => outcome.error ?? undefined),
    );
    res.writeHead(status, {
      vary: 'trpc-accept, accept',
      'content-type': 'application/json',
      ...options.headersFor(errors),
    });
    res.end(JSON.stringify(isBatch ? json : json[0]));
    return 'here';
  };
}

/** tRPC's adapter, for what this handler leaves to it; a body already read is handed over as read. */
function fallBack<TRouter extends AnyTRPCRouter>(
  options: TrpcHttpOptions<TRouter>,
  request: TrpcHttpRequest,
) {
  return nodeHTTPRequestHandler({
    router: options.router,
    req: request.req,
    res: request.res,
    path: request.path,
    createContext: options.createContext,
    maxBodySize: request.maxBodySize,
    maxBatchSize: request.maxBatchSize,
    responseMeta: ({ errors }) => ({ headers: options.headersFor(errors) }),
    onError: ({ error, path }) => options.onError(error, path ?? request.path),
  });
}

/** Media types are case-insensitive, and may carry parameters (`; charset=utf-8`). */
function jsonOrNone(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  if (type === undefined) return req.method === 'GET';
  return type.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/** A batch asking for its answers streamed as they come (`httpBatchStreamLink`). */
function streamingAsked(req: IncomingMessage): boolean {
  if (req.headers['trpc-accept'] !== undefined) return true;
  return (req.headers.accept ?? '').split(',').some((type) => type.trim() === 'application/jsonl');
}

function decodedPath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/**
 * The body as text, or a PAYLOAD_TOO_LARGE error past `maxBytes` (the rest is then read and dropped). The listeners
 * are inline and unnamed, and an error is made only for a request that needs one: the request's `close` comes after
 * every answered call too, and a TRPCError made there each time (its stack captured) was 6 % of an HTTP send's CPU.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | TRPCError> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      settled = true;
      resolve(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
    });
    req.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(bodyText(chunks, size));
    });
    req.once('error', reject);
    // A client gone before the end of its body gets no answer; this only settles the wait.
    req.once('close', () => {
      if (!settled) resolve(new TRPCError({ code: 'CLIENT_CLOSED_REQUEST' }));
    });
  });
}

/** Most bodies arrive as one chunk: decoded as it is, without a copy. */
const bodyText = (chunks: Buffer[], size: number): string =>
  (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8');

/** A call's input, or the error that reading the request's inputs ended in (made here, unnamed: see `readBody`). */
function rawInputOf(inputs: Inputs, index: number): () => Promise<unknown> {
  return async () => {
    if (!inputs.ok) throw inputs.error;
    return inputs.values[index];
  };
}

/**
 * Each call's input, as tRPC reads them: one JSON value, or in a batch an object keyed by each call's index. A body
 * that cannot be read fails every call with the same error, when the call asks for its input.
 */
function parseInputs(source: string | TRPCError | null, isBatch: boolean, count: number): Inputs {
  if (source instanceof TRPCError) return { ok: false, error: source };
  let parsed: unknown;
  try {
    parsed = source ? JSON.parse(source) : undefined;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : 'Invalid input';
    return { ok: false, error: new TRPCError({ code: 'BAD_REQUEST', message, cause }) };
  }
  if (!isBatch || parsed === undefined) return { ok: true, values: isBatch ? [] : [parsed] };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const message = '"input" needs to be an object when doing a batch call';
    return { ok: false, error: new TRPCError({ code: 'BAD_REQUEST', message }) };
  }
  const byIndex = parsed as Record<string, unknown>;
  return { ok: true, values: Array.from({ length: count }, (_, index) => byIndex[index]) };
}
