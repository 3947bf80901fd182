import { createServer } from 'node:net';

/** The port is taken by another program: said in one line, since a stack trace would hide the one fact. */
export class PortInUseError extends Error {
  constructor(port: number) {
    super(
      `Port ${port} is already in use (is Parley already running?). Stop that program, or choose another port: PORT=${port + 1} npm start`,
    );
  }
}

/**
 * Fails fast when the port is taken, before the embedded database and the client build spend seconds starting
 * only to be thrown away.
 */
export async function ensurePortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
