/**
 * Questions for the person at the terminal, asked on stderr so stdout stays the command's output. A password is
 * read without echo from a terminal; from a pipe (a script, a test, `--password-stdin`) it is the first line.
 */
import { createInterface } from 'node:readline/promises';
import { CliError } from './errors.ts';

const stdin = process.stdin;

export const interactive = () => Boolean(stdin.isTTY);

/** What a read took from stdin past its line's end: the next line (a piped username, then its password). */
let unread = '';

/** One line of stdin, without its line ending; an empty string at end of input. */
export function readLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const take = (end: number) => {
      const line = unread.slice(0, end);
      unread = unread.slice(end + 1);
      return line.replace(/\r$/, '');
    };
    if (unread.includes('\n')) return resolve(take(unread.indexOf('\n')));
    if (stdin.readableEnded) return resolve(take(unread.length));
    const finish = (line: string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', reject);
      stdin.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      unread += String(chunk);
      const end = unread.indexOf('\n');
      if (end >= 0) finish(take(end));
    };
    const onEnd = () => finish(take(unread.length));
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', reject);
    stdin.resume();
  });
}

export async function ask(question: string): Promise<string> {
  if (!interactive()) return readLine();
  const rl = createInterface({ input: stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** A password: typed without echo at a terminal, or the first line of stdin when `fromStdin` or not a terminal. */
export async function askPassword(question: string, fromStdin = false): Promise<string> {
  const password = fromStdin || !interactive() ? await readLine() : await readHidden(question);
  if (!password) throw new CliError('No password given.');
  return password;
}

/** Raw mode: each key arrives as typed and nothing is echoed; Enter ends, Backspace erases, Ctrl-C cancels. */
function readHidden(question: string): Promise<string> {
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error: CliError | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return done(null);
        if (char === '\u0003') return done(new CliError('Cancelled.', 130));
        if (char === '\u0004') return typed ? undefined : done(new CliError('Cancelled.', 130));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char === '\u0015') typed = '';
        else if (char >= ' ') typed += char;
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** Everything on stdin, for a message piped in. */
export async function readAll(): Promise<string> {
  let text = unread;
  unread = '';
  for await (const chunk of stdin) text += String(chunk);
  return text;
}
