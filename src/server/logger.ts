/** A tiny structured logger: one JSON line per event in production, readable lines otherwise. */
const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof levels;
type Fields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export function createLogger(level: LogLevel, json = false): Logger {
  const write = (at: Exclude<LogLevel, 'silent'>, message: string, fields: Fields = {}) => {
    if (levels[at] < levels[level]) return;
    const line = json
      ? JSON.stringify({ time: new Date().toISOString(), level: at, message, ...serialise(fields) })
      : `${at.padEnd(5)} ${message}${Object.keys(fields).length ? ` ${JSON.stringify(serialise(fields))}` : ''}`;
    (at === 'error' || at === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

function serialise(fields: Fields): Fields {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      value instanceof Error ? { message: value.message, stack: value.stack, cause: value.cause } : value,
    ]),
  );
}
