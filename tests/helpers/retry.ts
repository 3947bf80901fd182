import { TRPCClientError } from '@trpc/client';
import type { ParleyError } from './errors.ts';

/** Answers that a retry cannot change: the request itself is wrong or not allowed. */
const finalCodes = new Set([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PARSE_ERROR',
]);

/**
 * Whether a client would try the call again: the network failed (no answer at all), or the server failed or was
 * going away (an INTERNAL_SERVER_ERROR while it shut down, say). Safe for `chat.send` because of its clientId.
 */
export function retryable(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const code = (error as ParleyError).data?.code;
  return code === undefined || !finalCodes.has(code);
}
