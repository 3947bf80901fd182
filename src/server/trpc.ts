import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import type { Context } from './context.ts';
import { FieldError, RateLimited, tooManyRequests } from './errors.ts';

const t = initTRPC.context<Context>().create({
  // Never send stack traces to clients, in any mode: unexpected errors are logged with their cause instead.
  isDev: false,
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
      message: zodError ? firstProblem(cause as ZodError) : shape.message,
      data: {
        ...shape.data,
        zodError,
        fieldErrors,
        retryAfterSeconds: cause instanceof RateLimited ? cause.retryAfterSeconds : undefined,
      },
    };
  },
});

function firstProblem(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The input is not valid.';
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Refuses state changes from foreign origins (CSRF), whatever the procedure. */
const sameOriginForMutations = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && !ctx.originAllowed) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Requests from another site are not allowed.' });
  }
  return next();
});

/** Each call gets its own entity manager: a socket's context outlives many calls. */
const withEntityManager = t.middleware(({ ctx, next }) => next({ ctx: { em: ctx.deps.orm.em.fork() } }));

export const publicProcedure = t.procedure.use(sameOriginForMutations).use(withEntityManager);

const signedIn = t.middleware(({ ctx, next }) => {
  if (!ctx.auth) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in first.' });
  return next({ ctx: { auth: ctx.auth, user: ctx.auth.user } });
});

const mutationRateLimit = t.middleware(async ({ ctx, type, next }) => {
  if (type !== 'mutation' || !ctx.auth) return next();
  const { limiter, config } = ctx.deps;
  const decision = await limiter.hit(
    `mutations:${ctx.auth.user.id}`,
    config.limits.mutationsPerMinute,
    60_000,
  );
  if (!decision.allowed) throw tooManyRequests(decision.retryAfterSeconds);
  return next();
});

export const protectedProcedure = publicProcedure.use(signedIn).use(mutationRateLimit);

const isAdmin = t.middleware(({ ctx, next }) => {
  if (ctx.auth?.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Admins only.' });
  return next();
});

export const adminProcedure = protectedProcedure.use(isAdmin);
