/**
 * Two audiences: a person reads lines of text, a script reads `--json` (one JSON value per line on stdout).
 * Notices and errors go to stderr in both modes, so stdout is only ever the result.
 */
import type { Failure } from './errors.ts';

export interface Output {
  readonly json: boolean;
  /** The command's result: `data` as one line of JSON with `--json`, else the human lines. */
  result(data: unknown, human: () => string | string[]): void;
  /** A note for the person (progress, reconnects), on stderr. */
  notice(text: string): void;
  failure(failure: Failure, hint?: string): void;
}

export function createOutput(json: boolean): Output {
  const write = (stream: NodeJS.WriteStream, text: string) => stream.write(`${text}\n`);
  return {
    json,
    result(data, human) {
      if (json) return void write(process.stdout, JSON.stringify(data));
      const lines = human();
      write(process.stdout, Array.isArray(lines) ? lines.join('\n') : lines);
    },
    notice(text) {
      write(process.stderr, text);
    },
    failure({ message, code, unexpected }, hint) {
      if (json) {
        write(process.stderr, JSON.stringify({ error: { code: code ?? 'INTERNAL', message } }));
      } else {
        write(process.stderr, `parley: ${message}`);
        if (hint) write(process.stderr, hint);
      }
      if (unexpected?.stack) write(process.stderr, unexpected.stack);
    },
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:03:09` today, `2026-11-24 14:03` on another day: local time, as a chat shows it. */
export function shortTime(iso: string, now = new Date()): string {
  const at = new Date(iso);
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  if (at.toDateString() === now.toDateString()) return `${time}:${pad(at.getSeconds())}`;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
}

/** `@ann (Ann Lee)`, or `@ann` when the display name is the username. */
/**
 * Other people's words must not drive the terminal: control characters (escape sequences that retitle the
 * window, clear the screen or write the clipboard) and bidirectional overrides become U+FFFD.
 */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, (c) =>
    c === '\n' || c === '\t' ? c : '\ufffd',
  );
}

export function who(user: { username: string; displayName: string } | null | undefined): string {
  if (!user) return '-';
  const name = printable(user.displayName);
  return name === user.username ? `@${user.username}` : `@${user.username} (${name})`;
}

/** Rows in columns, each as wide as its widest cell. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
