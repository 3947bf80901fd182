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

export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: try again in ${retryAfterSeconds} s.`);
  }
}

export function tooManyRequests(retryAfterSeconds: number) {
  const cause = new RateLimited(retryAfterSeconds);
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
}
