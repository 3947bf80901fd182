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

/**
 * Something that fails over and over while a dependency is away (a reconnect, a retried call): one line at `level`
 * when it starts failing, debug lines while it goes on, and one info line when it works again.
 */
export class OutageLog {
  private down = false;

  constructor(
    private readonly log: Logger,
    private readonly level: 'warn' | 'error',
    private readonly lines: { failing: string; still: string; back: string },
  ) {}

  failed(fields: Fields): void {
    if (this.down) {
      this.log.debug(this.lines.still, fields);
      return;
    }
    this.down = true;
    this.log[this.level](this.lines.failing, fields);
  }

  worked(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info(this.lines.back);
  }
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
      value instanceof Error ? describeError(value) : value,
    ]),
  );
}

/** The fields of a PostgreSQL error (pg's own, or as knex and MikroORM pass it on) that hold no bound value. */
const databaseErrorFields = [
  'code',
  'severity',
  'schema',
  'table',
  'column',
  'constraint',
  'routine',
] as const;
type DatabaseError = Error & Record<(typeof databaseErrorFields)[number], string | undefined>;

function isDatabaseError(error: Error): error is DatabaseError {
  return typeof (error as Partial<DatabaseError>).routine === 'string' && 'severity' in error;
}

/**
 * A failed query's message holds its SQL with every bound value filled in (message text, names, a token's hash),
 * its `detail` the row's values, and some messages quote the value they choke on. The log keeps what an operator
 * acts on (the SQLSTATE, the table and constraint, where in our code) and none of it; a wrapping error's message,
 * which repeats the driver's, is cut the same way.
 */
function describeError(error: Error): Fields {
  if (isDatabaseError(error)) {
    const known = databaseErrorFields.filter((field) => error[field] !== undefined);
    return {
      message: `${error.name}: a database query failed (values withheld)`,
      ...Object.fromEntries(known.map((field) => [field, error[field]])),
      stack: stackFrames(error.stack),
    };
  }
  const database = databaseErrorIn(error.cause);
  const withheld = (text = '') => (database ? text.split(database.message).join('(query withheld)') : text);
  return {
    message: withheld(error.message),
    stack: withheld(error.stack),
    cause: error.cause instanceof Error ? describeError(error.cause) : error.cause,
  };
}

function databaseErrorIn(cause: unknown): DatabaseError | null {
  for (let at = cause; at instanceof Error; at = at.cause) if (isDatabaseError(at)) return at;
  return null;
}

/** Only the `at …` lines: the first lines of a stack repeat the message. */
function stackFrames(stack = ''): string {
  return stack
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
}
