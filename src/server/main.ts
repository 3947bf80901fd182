/** `npm start`: builds the client when its build is missing or older than its sources, then serves everything. */
import { startApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { ensureClientBuild } from './http/client-build.ts';
import { createLogger } from './logger.ts';
import { projectRoot } from './paths.ts';
import { ensurePortFree, PortInUseError } from './port.ts';
import { exitOnSignals } from './shutdown.ts';

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel, config.production);
  await ensurePortFree(config.port, config.host);
  const clientDir = await ensureClientBuild(projectRoot, log);
  const app = await startApp(config, log, clientDir);
  log.info(`Parley is listening on http://localhost:${app.port}`, {
    database: config.databaseUrl ? 'DATABASE_URL' : 'embedded',
    fanout: config.redisUrl ? 'redis' : 'in-process',
  });
  exitOnSignals(app, log, config.shutdownDeadlineMs);
} catch (error) {
  if (error instanceof PortInUseError) {
    console.error(error.message);
    process.exit(1);
  }
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error('Parley failed to start:', error);
  process.exit(1);
}
