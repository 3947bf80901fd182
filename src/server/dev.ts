/**
 * `npm run dev`: the API server plus Vite's dev server with hot reload, which forwards /trpc (HTTP and socket)
 * to it. Vite keeps the browser's Host header, so the same-origin check holds as in production.
 */
import { createServer } from 'vite';
import { startApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { projectRoot } from './paths.ts';
import { exitOnSignals } from './shutdown.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);
const app = await startApp(config, log, null);
process.env.PARLEY_API_URL = app.url;
const vite = await createServer({ root: projectRoot, configFile: `${projectRoot}/vite.config.ts` });
await vite.listen();
vite.printUrls();
log.info(`API on ${app.url}; open the Vite URL above.`);
exitOnSignals(app, log, config.shutdownDeadlineMs, () => vite.close());
