import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * A bench script's command line, read the same way by every script: `--name=value` (or `--name value`), `--flag`,
 * and bare arguments. An option the script does not take stops it, naming the ones it does, where it used to be
 * ignored (a mistyped `--subscriber=100` ran every room size for ten minutes).
 */
export function commandLine<const Options extends OptionsConfig>(options: Options) {
  try {
    return parseArgs({ options, allowPositionals: true });
  } catch (error) {
    const known = Object.entries(options).map(([name, { type }]) =>
      type === 'string' ? `[--${name}=…]` : `[--${name}]`,
    );
    // Node's advice on positionals that start with '-' fits none of these scripts.
    const why = (error as Error).message.replace(/ To specify a positional.*/s, '');
    return stop(`${why}\n${basename(process.argv[1] ?? '')} takes ${known.join(' ') || 'no options'}`);
  }
}

/** A number given on the command line as `name`, or `fallback` when it was not; anything else stops the script. */
export function numberArg(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number))
    return stop(`${name} must be a number, not "${value}"`);
  return number;
}

/** A comma-separated list given as `name` (`--rates=200,400`), each item a number. */
export function numbersArg(value: string | undefined, name: string): number[] | undefined {
  return value?.split(',').map((item) => numberArg(item, 0, name));
}

/** Whether the module at `moduleUrl` (its `import.meta.url`) is the script node was asked to run, not an import. */
export function runAsScript(moduleUrl: string): boolean {
  return moduleUrl === pathToFileURL(process.argv[1] ?? '').href;
}

function stop(why: string): never {
  console.error(why);
  process.exit(2);
}
