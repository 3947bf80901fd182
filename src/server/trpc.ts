import type { EntityManager } from '@mikro-orm/postgresql';
import { initTRPC, type ProcedureType, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import { socketCloseCodes } from '../shared/socket.ts';
import { plainProblem } from '../shared/validation-messages.ts';
import { type Auth, isBanned } from './auth/resolve.ts';
import type { Context } from './context.ts';
import { forkOnUse } from './db/orm.ts';
import {
  databaseUnavailable,
  FieldError,
  isDatabaseUnreachable,
  MutedUntil,
  RetryLater,
  tooManyRequests,
} from './errors.ts';
import { onAbort } from './realtime/abort.ts';
import { banMessage } from './services/auth.ts';

// Input problems in words a person reads, wherever a schema has none of its own.
z.config({ customError: plainProblem });

const t = initTRPC.context<Context>().create({
  // Never send stack traces to clients, in any mode: unexpected errors are logged with their cause instead.
  isDev: false,
  // Subscriptions only over the socket, whose context ends with the session; an HTTP stream would outlive a
  // logout or a ban.
  sse: { enabled: false },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodError = cause instanceof ZodError ? z.flattenError(cause) : null;
    const fieldErrors: Record<string, string[]> | undefined =
      (zodError?.fieldErrors as Record<string, string[]> | undefined) ??
      (cause instanceof FieldError
        ? Object.fromEntries(Object.entries(cause.fields).map(([field, message]) => [field, [message]]))
        : undefined);
    return {
      ...shape,
      // zod's own message is a JSON dump; a person reads the first problem instead.
      // An unexpected error's own message may hold SQL and values: it is logged, and the caller gets a sentence.
      message: zodError
        ? firstProblem(cause as ZodError)
        : error.code === 'INTERNAL_SERVER_ERROR'
          ? 'Something went wrong on the server. Please try again.'
          : (readableMessages[shape.message] ?? shape.message),
      // Not a spread given new keys, which Node 20 promotes to the old generation (procedure-call.ts): a refusal
      // (a rate limit, say) is what an abusive client gets by the thousand.
      data: Object.assign({}, shape.data, {
        zodError,
        fieldErrors,
        retryAfterSeconds: cause instanceof RetryLater ? cause.retryAfterSeconds : undefined,
        mutedUntil: cause instanceof MutedUntil ? cause.until.toISOString() : undefined,
      }),
    };
  },
});

/** tRPC's own refusals, said the way a person (or a script's author) reads them. */
const readableMessages: Record<string, string> = {
  // HTTP_MAX_BATCH_SIZE / WS_MAX_BATCH_SIZE: the whole batch is refused before any call in it runs.
  'Batch call exceeds maximum size':
    'This batch holds more calls than the server answers at once; none of them ran. Send fewer calls per request.',
  // HTTP_MAX_BODY_BYTES, or an upload's own limit (IMAGE_MAX_BYTES, the avatar's 5 MB) as base64.
  PAYLOAD_TOO_LARGE: 'This request is larger than the server accepts; for an image, send a smaller file.',
};

function firstProblem(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The input is not valid.';
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

export const router = t.router;

/*
 * The checks every call goes through are plain functions run by one middleware (`guardedCall`), not a middleware
 * each: tRPC copies a call's options twice per middleware, which the HTTP send's profile put at the top of its
 * self time.
 */

/** Refuses state changes from foreign origins (CSRF), whatever the procedure. */
function refuseForeignMutation(ctx: Context, type: ProcedureType) {
  if (type === 'mutation' && !ctx.originAllowed) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Requests from another site are not allowed.' });
  }
}

/**
 * Every call spends from a budget, queries too, so that one client cannot starve the others: over a socket the
 * socket's own (in memory), over HTTP the caller's, per user or, signed out, per address (in the shared limiter).
 * A socket that keeps calling long past its budget is closed with 4429. Mutations also have budgets by kind, below.
 */
async function spendCallBudget(ctx: Context, type: ProcedureType) {
  const { limits } = ctx.deps.config;
  if (ctx.connection) {
    const decision = ctx.connection.calls.take();
    if (decision.allowed) return;
    if (decision.abusive) ctx.connection.socket.close(socketCloseCodes.tooManyConnections, 'Too many calls');
    throw tooManyRequests(decision.retryAfterSeconds);
  }
  if (type !== 'query') return;
  const caller = ctx.auth ? `user:${ctx.auth.user.id}` : `ip:${ctx.ip}`;
  const decision = await ctx.deps.limiter.hit(`queries:${caller}`, limits.queriesPerMinute, 60_000);
  if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
}

/** A socket holds a bounded number of live subscriptions: each one costs memory and a bus listener. */
function countSubscription(ctx: Context, type: ProcedureType, signal: AbortSignal | undefined) {
  if (type !== 'subscription') return;
  const connection = ctx.connection;
  if (!connection) {
    throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Subscribe over the WebSocket at /trpc.' });
  }
  if (connection.subscriptions >= ctx.deps.config.limits.wsMaxSubscriptionsPerSocket) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: 'This connection has too many live subscriptions; stop some first.',
    });
  }
  connection.subscriptions++;
  onAbort(signal, () => connection.subscriptions--);
}

/**
 * What every call goes through, run by the one middleware of each kind of procedure (tRPC copies a call's options
 * twice for each middleware it passes, and the socket send's profile put those copies at ~12 % of an instance's
 * busy time with the three this took before): the checks above; the call's own entity manager; and a call that
 * failed because the database did not answer says so (SERVICE_UNAVAILABLE), not a bare 500.
 *
 * Each call gets its own entity manager: a socket's context outlives many calls, while an HTTP request's context
 * is its one call and has one already. On a socket it forks on first use: a subscription to a room, or typing in
 * one, reads only what the instance remembers, and a connect then pays no fork. A subscription's resolver sets up
 * and returns its stream instead of being a generator itself: a generator would hold this call's context, and its
 * entity manager (~4 KiB), for as long as the subscription lives.
 */
async function guardedCall<Result extends { ok: boolean }>(
  ctx: Context,
  type: ProcedureType,
  signal: AbortSignal | undefined,
  call: (em: EntityManager) => Promise<Result>,
): Promise<Result> {
  await spendCallBudget(ctx, type);
  refuseForeignMutation(ctx, type);
  countSubscription(ctx, type, signal);
  // A socket's live frames written while a call runs may wait to leave with its answer (`ParleySocket`).
  const answering = type === 'subscription' ? null : (ctx.connection?.socket ?? null);
  answering?.callStarted();
  try {
    const result = await call(ctx.em ?? forkOnUse(ctx.deps.orm));
    if (!result.ok) throwIfOutage((result as unknown as { error: TRPCError }).error);
    return result;
  } catch (error) {
    throwIfOutage(error);
    throw error;
  } finally {
    answering?.callEnded();
  }
}

/** Throws SERVICE_UNAVAILABLE for an unexpected error (or a 500) whose cause is a database that did not answer. */
function throwIfOutage(error: unknown): void {
  const unexpected =
    error instanceof TRPCError ? (error.code === 'INTERNAL_SERVER_ERROR' ? error.cause : null) : error;
  if (isDatabaseUnreachable(unexpected)) throw databaseUnavailable(unexpected);
}

export const publicProcedure = t.procedure.use(function publicCall({ ctx, type, signal, next }) {
  return guardedCall(ctx, type, signal, (em) => next({ ctx: { em } }));
});

/**
 * Each kind of call has its own budget, so that reading and typing (which a busy reader does often) never use up
 * what sending needs.
 */
function budgetOf(path: string, limits: Context['deps']['config']['limits']): [string, number] {
  if (path === 'chat.typing') return ['typing', limits.typingPerMinute];
  if (path === 'chat.markRead' || path === 'notifications.markRead') return ['reads', limits.readsPerMinute];
  return ['mutations', limits.mutationsPerMinute];
}

/** A mutation spends from its kind's budget (per person): reading and typing never use up what sending needs. */
async function spendMutationBudget(ctx: Context, auth: Auth, type: ProcedureType, path: string) {
  if (type !== 'mutation') return;
  const { limiter, config } = ctx.deps;
  const [budget, perMinute] = budgetOf(path, config.limits);
  const decision = await limiter.hit(`${budget}:${auth.user.id}`, perMinute, 60_000);
  if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
}

/**
 * Signed in, and acting as the account is now: a socket's context was made when it opened, so the role, ban and
 * name come from this instance's memory of current users, which every instance forgets when they change. Then the
 * mutation's budget is spent (in the same middleware: see `guardedCall`).
 */
export const protectedProcedure = t.procedure.use(function signedIn({ ctx, type, path, signal, next }) {
  return guardedCall(ctx, type, signal, async (em) => {
    // `revoked`: the session ended while this socket was open; it closes a moment later, and acts no more.
    if (!ctx.auth || ctx.auth.revoked) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in first.' });
    }
    const user = await ctx.deps.currentUsers.get(ctx.auth.user.id);
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'This account no longer exists.' });
    if (isBanned(user)) throw new TRPCError({ code: 'FORBIDDEN', message: banMessage(user) });
    await spendMutationBudget(ctx, ctx.auth, type, path);
    return next({ ctx: { em, auth: ctx.auth, user } });
  });
});

/** The role as it is now (see `signedIn`): an admin demoted since a socket opened loses the powers at once. */
export const adminProcedure = protectedProcedure.use(function isAdmin({ ctx, next }) {
  if (ctx.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Admins only.' });
  return next();
});
