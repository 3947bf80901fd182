import { isTRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../server/router.ts';
import { dayAndTime } from './time.ts';

/** A failed call, split the way a form shows it: messages for named fields, and one message for the rest. */
export interface ProblemReport {
  fieldErrors: Record<string, string>;
  message: string | null;
}

/** A problem the client noticed itself, worded for the person using it. */
export class ClientProblem extends Error {}

export function isServerError(error: unknown, code: string): boolean {
  return isTRPCClientError<AppRouter>(error) && error.data?.code === code;
}

export function describeError(error: unknown): ProblemReport {
  if (error instanceof ClientProblem) return { fieldErrors: {}, message: error.message };
  if (!isTRPCClientError<AppRouter>(error)) {
    return { fieldErrors: {}, message: 'Something went wrong. Please try again.' };
  }
  const data = error.data;
  // No `data` means the server never answered: the network or the server is down.
  if (!data) {
    return { fieldErrors: {}, message: 'Cannot reach Parley. Check your connection and try again.' };
  }
  if (data.code === 'TOO_MANY_REQUESTS') {
    const wait = data.retryAfterSeconds;
    return {
      fieldErrors: {},
      message: wait
        ? `Too many attempts. Try again in ${formatWait(wait)}.`
        : 'Too many attempts. Try again soon.',
    };
  }
  const fieldErrors: Record<string, string> = {};
  for (const [field, messages] of Object.entries(data.fieldErrors ?? {})) {
    const first = messages?.[0];
    if (first) fieldErrors[field] = first;
  }
  return {
    fieldErrors,
    message: Object.keys(fieldErrors).length ? null : readableDates(error.message, data),
  };
}

/** The server writes a mute's end as an ISO date, and says it apart too: the reader gets it in their own time. */
function readableDates(message: string, data: { mutedUntil?: string | undefined }): string {
  return data.mutedUntil ? message.replace(data.mutedUntil, dayAndTime(data.mutedUntil)) : message;
}

function formatWait(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
