/**
 * A Parley server in a process of its own, for tests that kill it (`server-process.ts` spawns this file). It is
 * `src/server/main.ts` without the web client: main.ts rebuilds the client whenever its sources are newer than the
 * build, which would make each restart slow and race with other test files. Prints `listening <port>` when ready;
 * SIGTERM closes it gracefully, SIGKILL is a crash. It exits when its stdin closes, so a test process that dies
 * leaves no server behind.
 */
import { startApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { createLogger } from '../../src/server/logger.ts';

const config = loadConfig();
const app = await startApp(config, createLogger(config.logLevel), null);
process.stdout.write(`listening ${app.port}\n`);
process.stdin.resume();
process.stdin.once('end', () => process.exit(0));
process.once('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    (cause: unknown) => {
      console.error('Shutdown failed', cause);
      process.exit(1);
    },
  );
});
