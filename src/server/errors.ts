import { TRPCError } from '@trpc/server';

/** A domain error about input fields, each message shown by the client next to its field. */
export class FieldError extends Error {
  constructor(readonly fields: Record<string, string>) {
    super(Object.values(fields).join(' '));
  }
}

type FieldErrorCode = 'BAD_REQUEST' | 'CONFLICT' | 'UNAUTHORIZED';

export function fieldError(code: FieldErrorCode, field: string, message: string) {
  return fieldErrors(code, { [field]: message });
}

/** Several fields wrong at once (a taken username and a taken email): the person learns both in one go. */
export function fieldErrors(code: FieldErrorCode, fields: Record<string, string>) {
  const cause = new FieldError(fields);
  return new TRPCError({ code, message: cause.message, cause });
}

/** A refusal that says when to ask again: `error.data.retryAfterSeconds`, and `Retry-After` over HTTP. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A refusal because the caller is muted: `error.data.mutedUntil` (ISO), which a client can say in its own time zone. */
export class MutedUntil extends Error {
  constructor(readonly until: Date) {
    super(`muted until ${until.toISOString()}`);
  }
}

export class RateLimited extends RetryLater {
  constructor(retryAfterSeconds: number) {
    super(`Too many requests: try again in ${retryAfterSeconds} s.`, retryAfterSeconds);
  }
}

/** How long a caller should wait before asking again while the database does not answer. */
const databaseRetrySeconds = 5;

/**
 * The database did not answer (refused, dropped, or no connection free in time): a dependency outage, not a bug
 * and not the caller's fault. The call can be tried again as it was.
 */
export function databaseUnavailable(cause: unknown) {
  return new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: 'The database is not answering right now. Please try again in a moment.',
    cause: Object.assign(new RetryLater('database unavailable', databaseRetrySeconds), { cause }),
  });
}

/** Connection-level failures from pg, knex's pool and PostgreSQL itself (SQLSTATE class 08, and 57P01–57P03). */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
]);
const unreachableMessages =
  /Timeout acquiring a connection|Connection terminated|connection error|ECONNREFUSED/i;

export function isDatabaseUnreachable(error: unknown): boolean {
  for (let at = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && (unreachableCodes.has(code) || code.startsWith('08'))) return true;
    if (unreachableMessages.test(at.message)) return true;
  }
  return false;
}

export function tooManyRequests(retryAfterSeconds: number) {
  const cause = new RateLimited(retryAfterSeconds);
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
}
