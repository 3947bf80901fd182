import { TRPCClientError } from '@trpc/client';

/** An expected failure: its message is printed as is (no stack) and the command exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The command line itself is wrong: exit 2, and point at the command's help. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message, 2, 'USAGE');
  }
}

export interface Failure {
  message: string;
  /** The server's tRPC code, `USAGE`, `NETWORK`, or undefined for an unexpected error. */
  code?: string;
  exitCode: number;
  /** An unexpected error: worth a stack trace. */
  unexpected?: Error;
}

/** The server's own sentence for an API error; where it was not reached, say so and where we tried. */
export function describeFailure(error: unknown, url: string): Failure {
  if (error instanceof CliError)
    return { message: error.message, code: error.code, exitCode: error.exitCode };
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    if (code) return { message: error.message, code, exitCode: 1 };
    const cause = error.cause instanceof Error ? error.cause : null;
    const why = (cause?.cause as Error | undefined)?.message ?? cause?.message ?? error.message;
    return { message: `Could not reach Parley at ${url}: ${why}`, code: 'NETWORK', exitCode: 1 };
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // A service's own refusal (create-admin calls services directly): the same sentence the API would send.
  if (error instanceof Error && error.name === 'TRPCError' && typeof code === 'string') {
    return { message: error.message, code, exitCode: 1 };
  }
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    // Node adds a long note on `--` to unknown options; the first sentence says it.
    return {
      message: (error as Error).message.replace(/\. To specify a positional.*$/s, '.'),
      code: 'USAGE',
      exitCode: 2,
    };
  }
  const unexpected = error instanceof Error ? error : new Error(String(error));
  return { message: unexpected.message, exitCode: 1, unexpected };
}

/** A failure a retry can fix: no answer at all, or the server failing rather than refusing. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const code = (error.data as { code?: string } | undefined)?.code;
  return (
    code === undefined || ['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'GATEWAY_TIMEOUT'].includes(code)
  );
}
