import type { ProcedureType } from '@trpc/server';
import { type AnyTRPCProcedure, type AnyTRPCRouter, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
// The one piece tRPC does not export elsewhere: finding a procedure by path (lazy routers included).
import { getProcedureAtPath } from '@trpc/server/unstable-core-do-not-import';

/** What a call of a procedure is given, as tRPC's own callers give it (`callTRPCProcedure`, the adapters). */
export interface ProcedureCall {
  path: string;
  type: ProcedureType;
  ctx: unknown;
  getRawInput(): Promise<unknown>;
  batchIndex: number;
  signal: AbortSignal | undefined;
}

const proceduresOf = new WeakMap<AnyTRPCRouter, Map<string, AnyTRPCProcedure>>();

/** The router's procedure at `path`, or null: looked up once per path (tRPC walks the router for every call). */
export async function procedureAt(router: AnyTRPCRouter, path: string): Promise<AnyTRPCProcedure | null> {
  let byPath = proceduresOf.get(router);
  if (!byPath) {
    byPath = new Map();
    proceduresOf.set(router, byPath);
  }
  const known = byPath.get(path);
  if (known) return known;
  const found = await getProcedureAtPath(router, path);
  if (found) byPath.set(path, found);
  return found;
}

/** A middleware's options, as tRPC's `callRecursive` makes them. */
interface MiddlewareOptions extends ProcedureCall {
  input: unknown;
  meta: unknown;
  next(options?: { ctx?: object; input?: unknown; getRawInput?: () => Promise<unknown> }): Promise<Outcome>;
}

type Outcome = { ok: true; data: unknown } | { ok: false; error: TRPCError };
type Middleware = (options: MiddlewareOptions) => Promise<Outcome>;

/** How tRPC marks a middleware's outcome (`middlewareMarker`). */
const marker = 'middlewareMarker';

/**
 * Runs a procedure's middlewares and resolver as tRPC's procedure caller does (11.25's `callRecursive` and
 * `createProcedureCaller`), step for step, with plain object literals: tRPC's build copies a call's options with
 * Babel's `_objectSpread2` three times per middleware it passes, and those copies were ~10 % of an HTTP send's
 * CPU (docs/performance.md, entry 31; socket calls go through it too since entry 32). A procedure whose definition
 * does not hold its middlewares as this expects is called through tRPC itself.
 */
export function callProcedure(procedure: AnyTRPCProcedure, call: ProcedureCall): Promise<unknown> {
  const { middlewares, meta } = procedure._def as { middlewares?: unknown; meta?: unknown };
  if (!Array.isArray(middlewares)) return procedure(call);
  return outcomeOf(middlewares as Middleware[], meta, call);
}

async function outcomeOf(middlewares: Middleware[], meta: unknown, call: ProcedureCall): Promise<unknown> {
  const outcome = await callFrom(0, middlewares, meta, stepOf(call, call.ctx, undefined, call.getRawInput));
  if (!outcome) {
    const message = 'No result from middlewares - did you forget to `return next()`?';
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message });
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.data;
}

type Step = ProcedureCall & { input: unknown };

/**
 * A step's options written out field by field. Not `{ ...call, input }`: on Node 20 an object made by a spread and
 * then given a property its source lacked outlives the next scavenge and is promoted (measured: every such object,
 * by a trivial micro-benchmark as by the server), so a copy per middleware per call fed the mark-compacts that set
 * two instances' p99 (docs/performance.md, entry 43).
 */
function stepOf(call: ProcedureCall, ctx: unknown, input: unknown, getRawInput: Step['getRawInput']): Step {
  return {
    path: call.path,
    type: call.type,
    ctx,
    getRawInput,
    batchIndex: call.batchIndex,
    signal: call.signal,
    input,
  };
}

/** tRPC's `callRecursive`: the middleware at `index`, whose `next` calls the one after it with what it passes on. */
async function callFrom(
  index: number,
  middlewares: Middleware[],
  meta: unknown,
  step: Step,
): Promise<Outcome> {
  try {
    const middleware = middlewares[index] as Middleware;
    return await middleware({
      path: step.path,
      type: step.type,
      ctx: step.ctx,
      getRawInput: step.getRawInput,
      batchIndex: step.batchIndex,
      signal: step.signal,
      input: step.input,
      meta,
      next(passed) {
        const ctx = passed?.ctx ? Object.assign({}, step.ctx, passed.ctx) : step.ctx;
        const input = passed && 'input' in passed ? passed.input : step.input;
        return callFrom(
          index + 1,
          middlewares,
          meta,
          stepOf(step, ctx, input, passed?.getRawInput ?? step.getRawInput),
        );
      },
    });
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker } as Outcome;
  }
}
