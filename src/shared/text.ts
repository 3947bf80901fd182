import { z } from 'zod';

/**
 * Control characters nobody types: PostgreSQL cannot store NUL in text at all (the insert fails), and the others
 * only hide or garble what a reader sees. Line breaks and tabs are text in a message or a bio, not in a name.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const controlCharacters = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const controlsButLineBreaksAndTabs = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const refusal = 'Remove the control characters (such as NUL) from this text.';

/** True when the text holds a character the database cannot store or a person cannot see. */
export function hasControlCharacters(text: string, options: { multiline?: boolean } = {}): boolean {
  return (options.multiline ? controlsButLineBreaksAndTabs : controlCharacters).test(text);
}

/**
 * A string input of one line: a name, a login, a search, a password. Every text schema starts from this (or
 * `multilineText`), so no text reaches the database that it cannot store.
 */
export function lineText() {
  return z.string().refine((text) => !hasControlCharacters(text), refusal);
}

/** A string input that may span lines: a message, a bio, a reason. Tabs and line breaks stay. */
export function multilineText() {
  return z.string().refine((text) => !hasControlCharacters(text, { multiline: true }), refusal);
}
