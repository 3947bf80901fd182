/**
 * The `@name` being typed at the caret, if any: where its `@` stands and the letters after it. Like the server's
 * `mentionPattern`, an `@` right after a name's character (an email address) starts nothing.
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const typed = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{0,30})$/.exec(text.slice(0, caret));
  if (!typed) return null;
  const query = typed[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** The text with the `@name` typed at `start` (up to the caret) replaced by the person's, and where the caret goes. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  username: string,
): { text: string; caret: number } {
  const before = `${text.slice(0, start)}@${username} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: before + after, caret: before.length };
}
