import { TRPCError } from '@trpc/server';

/** A domain error about one input field, shown by the client next to that field. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function fieldError(
  code: 'BAD_REQUEST' | 'CONFLICT' | 'UNAUTHORIZED',
  field: string,
  message: string,
) {
  return new TRPCError({ code, message, cause: new FieldError(field, message) });
}

export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: try again in ${retryAfterSeconds} s.`);
  }
}

export function tooManyRequests(retryAfterSeconds: number) {
  const cause = new RateLimited(retryAfterSeconds);
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
}
