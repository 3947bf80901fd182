/**
 * A Parley server in a process of its own, for tests that kill it (`server-process.ts` spawns this file). It is
 * `src/server/main.ts` without the web client: main.ts rebuilds the client whenever its sources are newer than the
 * build, which would make each restart slow and race with other test files. Prints `listening <port>` when ready;
 * SIGTERM drains and closes it as `npm start` does, SIGKILL is a crash. It exits when its stdin closes, so a test process that dies
 * leaves no server behind.
 */
import { startApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { createLogger } from '../../src/server/logger.ts';
import { exitOnSignals } from '../../src/server/shutdown.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);
const app = await startApp(config, log, null);
process.stdout.write(`listening ${app.port}\n`);
process.stdin.resume();
process.stdin.once('end', () => process.exit(0));
exitOnSignals(app, log, config.shutdownDeadlineMs);
