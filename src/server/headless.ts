/**
 * Parley as a child of another program (the tests that kill and restart it, the bench): `src/server/main.ts`
 * without the web client, since main.ts rebuilds the client whenever its sources are newer than the build, which
 * would make each restart slow and race between processes. Prints `listening <port>` when ready; SIGTERM drains and
 * closes it as `npm start` does, SIGKILL is a crash. It exits when its stdin closes, so a parent that dies leaves no
 * server behind. Run from the build: `node bin/parley-server.js headless`.
 */
import { startApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { exitOnSignals } from './shutdown.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);
const app = await startApp(config, log, null);
process.stdout.write(`listening ${app.port}\n`);
process.stdin.resume();
process.stdin.once('end', () => process.exit(0));
exitOnSignals(app, log, config.shutdownDeadlineMs);
