import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Cli } from './context.ts';
import { UsageError } from './errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Accepted by every command, before or after its name. */
export const globalOptions = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

type Config<O extends Options> = {
  args: string[];
  options: O & typeof globalOptions;
  allowPositionals: true;
  strict: true;
};
export type Values<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>['values'];

export interface Command {
  /** `send`, or `admin ban` for a subcommand. */
  name: string;
  /** Arguments after the name, as the help shows them: `<room> <text...>`. */
  usage: string;
  summary: string;
  /** More help: options and examples, one per line. */
  details?: string[];
  /** Whether the command talks to the database rather than to a server (then `--url` means nothing to it). */
  local?: boolean;
  /** Parses strictly; a wrong option or count of arguments is a UsageError. */
  parse(args: string[]): Parsed;
  run(cli: Cli, parsed: Parsed): Promise<void>;
}

export interface Parsed {
  values: Values<Record<never, never>>;
  positionals: string[];
}

export interface CommandSpec<O extends Options> {
  name: string;
  usage: string;
  summary: string;
  details?: string[];
  local?: boolean;
  options?: O;
  /** How many positional arguments it takes: `[min, max]`. */
  arity: [number, number];
  /** Options that must be given. */
  required?: (keyof O & string)[];
  run(cli: Cli, input: { values: Values<O>; positionals: string[] }): Promise<void>;
}

/** A command whose `run` gets its own options typed, parsed strictly together with the global ones. */
export function defineCommand<const O extends Options = Record<never, never>>(spec: CommandSpec<O>): Command {
  const parse = (args: string[]) => {
    const options = { ...globalOptions, ...spec.options } as Config<O>['options'];
    const parsed = parseArgs<Config<O>>({ args, options, allowPositionals: true, strict: true });
    const values = parsed.values as Record<string, unknown>;
    if (values.help) return parsed;
    const [min, max] = spec.arity;
    const count = parsed.positionals.length;
    if (count < min || count > max) {
      throw new UsageError(count < min ? 'Missing arguments.' : 'Too many arguments.', spec.name);
    }
    const missing = spec.required?.find((name) => values[name] === undefined);
    if (missing) throw new UsageError(`--${missing} is required.`, spec.name);
    return parsed;
  };
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    details: spec.details,
    local: spec.local,
    parse,
    // `parsed` came from this command's own `parse`, so its values have this command's options.
    run: (cli, parsed) => spec.run(cli, parsed as { values: Values<O>; positionals: string[] }),
  };
}
