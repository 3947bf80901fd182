import type { App } from './app.ts';
import type { Logger } from './logger.ts';

/** Past the drain deadline, the rest of the shutdown (Redis, pools) gets this long before the process gives up. */
const cleanupMs = 5_000;

/**
 * On SIGTERM or SIGINT (`docker stop`, a rolling deploy, Ctrl-C): drains the app, then exits 0; 1 when closing
 * failed or hung. `before` runs first (the dev server stops Vite there).
 */
export function exitOnSignals(
  app: App,
  log: Logger,
  deadlineMs: number,
  before: () => Promise<void> = async () => {},
): void {
  const shutdown = (signal: string) => {
    log.info(`Shutting down (${signal}): draining for up to ${deadlineMs / 1000} s`);
    const backstop = setTimeout(() => {
      log.error('Shutdown hung past its deadline: exiting anyway');
      process.exit(1);
    }, deadlineMs + cleanupMs);
    backstop.unref();
    before()
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (cause: unknown) => {
          log.error('Shutdown failed', { cause });
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
