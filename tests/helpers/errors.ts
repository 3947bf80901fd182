import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../src/server/router.ts';

export type ParleyError = TRPCClientError<AppRouter>;

/** The tRPC error a call fails with; fails the test when the call succeeds or fails some other way. */
export async function rejection(call: Promise<unknown>): Promise<ParleyError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as ParleyError;
    throw error;
  }
  throw new Error('Expected the call to fail, but it succeeded.');
}

/** The tRPC code a call fails with (`'FORBIDDEN'`, …); fails the test when the call succeeds. */
export async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  return (await rejection(call)).data?.code;
}
