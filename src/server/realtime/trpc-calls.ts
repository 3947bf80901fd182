import { type AnyTRPCRouter, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
import type { TRPCClientOutgoingMessage, TRPCRequestMessage } from '@trpc/server/rpc';
import { WebSocket } from 'ws';
import { callProcedure, type ProcedureCall, procedureAt } from '../procedure-call.ts';
import { LiveTarget, setLiveTarget } from './live-target.ts';
import { ParleySocket } from './socket.ts';
import { TrpcReplies } from './trpc-replies.ts';
import { eventResult, isAbortError, type PumpHooks, pumpSubscription } from './trpc-subscription.ts';

export type ContextResult<TContext> = { ok: true; ctx: TContext } | { ok: false; error: TRPCError };
export type RequestId = string | number;

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A socket's calls, each answered as `@trpc/server`'s ws adapter answers it (the same frames, in the same order):
 * queries and mutations through the router's own procedures (`callTRPCProcedure`: middlewares, validation and
 * errors stay tRPC's), subscriptions from "started" through their events to "stopped", and `subscription.stop`.
 * A live subscription costs an AbortController and its one pending step (see `pumpSubscription`); once its stream
 * writes to the socket itself (`LiveTarget.park`), neither (`Subscription`).
 */
export class TrpcCalls<TContext> extends TrpcReplies<TContext> {
  protected context: Promise<ContextResult<TContext>> | null = null;
  private subscriptions: Map<RequestId, Subscription<TContext>> | null = null;

  closed(): void {
    const subscriptions = [...(this.subscriptions?.values() ?? [])];
    this.subscriptions?.clear();
    for (const subscription of subscriptions) subscription.stop();
  }

  protected async handle(message: TRPCClientOutgoingMessage, batchIndex: number): Promise<void> {
    const { id, jsonrpc } = message;
    if (id === null) {
      const error = new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' });
      this.report(error, 'unknown', undefined, undefined);
      this.respond({ id, jsonrpc, error: this.errorShape(error, 'unknown', undefined, undefined) });
      return;
    }
    if (message.method === 'subscription.stop') {
      this.subscriptions?.get(id)?.stop();
      return;
    }
    const call = callOf(message);
    if (call.type === 'subscription' && this.subscriptions?.has(id)) {
      this.fail(id, jsonrpc, new TRPCError({ message: `Duplicate id ${id}`, code: 'BAD_REQUEST' }), call);
      return;
    }
    // Only a subscription can be stopped (by `subscription.stop` or the socket closing); a query or mutation runs
    // to its end, and an AbortController (an EventTarget, ~1 KB) per call would only feed the collector.
    const controller = call.type === 'subscription' ? new AbortController() : null;
    const subscription = controller && this.subscribed(id, jsonrpc, controller);
    try {
      await this.run(id, jsonrpc, call, controller, batchIndex);
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      // A subscription stopped while its procedure was still setting up ends as "stopped", not as a failure.
      const cancelled = controller?.signal.aborted && error.code === 'INTERNAL_SERVER_ERROR';
      if (!cancelled || !isAbortError(error.cause)) {
        if (subscription) this.release(subscription);
        return this.fail(id, jsonrpc, error, call);
      }
    }
    // A parked stream writes to the socket itself: "stopped" waits for the stop.
    if (subscription && !subscription.parkIfLive()) this.stopped(subscription);
  }

  /** A subscription starts: kept until it stops, and on a Parley socket given its target (`liveTargetOf`). */
  private subscribed(id: RequestId, jsonrpc: '2.0' | undefined, controller: AbortController) {
    const subscription = new Subscription(this, id, jsonrpc, controller);
    this.subscriptions ??= new Map();
    this.subscriptions.set(id, subscription);
    if (this.socket instanceof ParleySocket) {
      const target = new LiveTarget(this.socket, { id, jsonrpc }, subscription);
      subscription.target = target;
      setLiveTarget(controller.signal, target);
      controller.signal.addEventListener('abort', subscription, { once: true });
    }
    return subscription;
  }

  /** The subscription has ended: it is let go and the client told (once, whichever way it ended). */
  stopped(subscription: Subscription<TContext>): void {
    if (this.subscriptions?.get(subscription.id) !== subscription) return;
    this.release(subscription);
    this.respond({ id: subscription.id, jsonrpc: subscription.jsonrpc, result: { type: 'stopped' } });
  }

  /** Whatever ended it, a subscription that is over is aborted: all that was tied to its signal is undone. */
  private release(subscription: Subscription<TContext>): void {
    if (this.subscriptions?.get(subscription.id) === subscription) this.subscriptions.delete(subscription.id);
    subscription.abort();
  }

  private async run(
    id: RequestId,
    jsonrpc: '2.0' | undefined,
    call: Call,
    controller: AbortController | null,
    batchIndex: number,
  ): Promise<void> {
    const context = await this.context!;
    if (!context.ok) throw context.error;
    const signal = controller?.signal;
    if (signal?.aborted || (controller && this.socket.readyState !== WebSocket.OPEN)) return;
    // The same keys in the same order as an HTTP call's (trpc-http.ts): one shape for `callProcedure` to copy.
    const result: unknown = await callAtPath(this.protocol.router, {
      path: call.path,
      type: call.type,
      ctx: context.ctx,
      batchIndex,
      signal,
      getRawInput: rawInputOf(call),
    });
    if (!controller) {
      if (isObservable(result) || isAsyncIterable(result)) {
        const message = `Cannot return an async iterable or observable from a ${call.type} procedure with WebSockets`;
        throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message });
      }
      return this.respond({ id, jsonrpc, result: { type: 'data', data: result } });
    }
    const stream = isObservable(result)
      ? observableToAsyncIterable(result, controller.signal)
      : isAsyncIterable(result)
        ? result
        : null;
    if (!stream) {
      const message = `Subscription ${call.path} did not return an observable or a AsyncGenerator`;
      throw new TRPCError({ message, code: 'INTERNAL_SERVER_ERROR' });
    }
    if (controller.signal.aborted || this.socket.readyState !== WebSocket.OPEN) {
      if (!controller.signal.aborted) controller.abort();
      await stream[Symbol.asyncIterator]().return?.();
      return;
    }
    // "started" and what the subscription's first steps write (a resume's backlog) leave in one write.
    if (this.socket instanceof ParleySocket) this.socket.gatherTurn();
    this.respond({ id, jsonrpc, result: { type: 'started' } });
    const failed = await pumpSubscription(
      stream,
      controller,
      new SubscriptionReplies(this, id, jsonrpc, call),
    );
    if (failed) this.fail(id, jsonrpc, failed.failure, call);
  }
}

/**
 * A live subscription as its socket's calls keep it. While its stream runs it has an AbortController, whose abort
 * this object hears (an object's `handleEvent`, not a closure: see below): what the setup tied to the signal is
 * undone (`LiveTarget.stopped`), and a parked subscription's client is told. Once parked (`LiveTarget.park`) it
 * lets go of the controller: nothing else holds the signal then, and an AbortSignal with its listener map is
 * ~0.5 KB a subscription, five a web tab. Its stop then runs the hooks itself.
 */
class Subscription<TContext> {
  target: LiveTarget | null = null;

  constructor(
    private readonly calls: TrpcCalls<TContext>,
    readonly id: RequestId,
    readonly jsonrpc: '2.0' | undefined,
    private controller: AbortController | null,
  ) {}

  /** The client stopped it, its socket closed, or the server ends it (`LiveTarget.end`). */
  stop(): void {
    if (this.controller) this.controller.abort();
    else this.handleEvent();
  }

  /** Its signal aborted (or, parked, it stopped). A hook that throws still leaves the client told. */
  handleEvent(): void {
    try {
      this.target?.stopped();
    } finally {
      if (this.target?.parked) this.calls.stopped(this);
    }
  }

  /** After its stream's call returned: true if the stream parked and is still live, the controller let go. */
  parkIfLive(): boolean {
    const { controller } = this;
    if (!this.target?.parked || !controller || controller.signal.aborted) return false;
    controller.signal.removeEventListener('abort', this);
    this.controller = null;
    return true;
  }

  /** Aborts the signal if the stream still has one and it has not: whatever was tied to it is undone. */
  abort(): void {
    if (this.controller && !this.controller.signal.aborted) this.controller.abort();
  }
}

/**
 * Where a subscription's events and quiet failures go. A class, not two arrow functions: tsx keeps function names
 * (`keepNames`), which gives every named closure a property table of its own (~250 B), per live subscription.
 */
class SubscriptionReplies<TContext> implements PumpHooks {
  constructor(
    private readonly replies: TrpcReplies<TContext>,
    private readonly id: RequestId,
    private readonly jsonrpc: '2.0' | undefined,
    private readonly call: Call,
  ) {}

  emit(value: unknown): void {
    this.replies.respond({ id: this.id, jsonrpc: this.jsonrpc, result: eventResult(value) });
  }

  report(cause: unknown): void {
    const { type, path, input } = this.call;
    this.replies.report(getTRPCErrorFromUnknown(cause), type, path, input);
  }
}

interface Call {
  type: TRPCRequestMessage['method'];
  path: string;
  input: unknown;
}

/** The call a request makes; a resuming subscription's `lastEventId` joins its input, as tRPC's adapter does it. */
function callOf(message: TRPCRequestMessage): Call {
  const { path, lastEventId } = message.params;
  let input = message.params.input;
  if (lastEventId !== undefined) {
    // Not `{ ...input, lastEventId }`: a spread given a new key is promoted on Node 20 (procedure-call.ts).
    if (isObject(input)) input = Object.assign({}, input, { lastEventId });
    else input ??= { lastEventId };
  }
  return { type: message.method, path, input };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * `callTRPCProcedure` with Parley's procedure caller (`callProcedure`: tRPC's, with native spreads): the procedure at
 * the call's path, which must be of the call's type, found once per path.
 */
async function callAtPath(router: AnyTRPCRouter, call: ProcedureCall): Promise<unknown> {
  const procedure = await procedureAt(router, call.path);
  if (!procedure || procedure._def.type !== call.type) {
    throw new TRPCError({ code: 'NOT_FOUND', message: `No "${call.type}"-procedure on path "${call.path}"` });
  }
  return callProcedure(procedure, call);
}

/**
 * What tRPC asks a call's input of. Returned by a function, so the closure is anonymous: one named by a property
 * would cost each call a property table and a microsecond more under tsx's `keepNames` (docs/performance.md,
 * entries 25 and 27).
 */
const rawInputOf = (call: Call) => async () => call.input;
