import { z } from 'zod';
import { roomIdSchema } from './chat.ts';

/**
 * `@username` in a message's words. Usernames are letters, digits, `_`, `.` and `-` (3–30), and never change, so
 * the server resolves these names to ids when a message is sent or edited. The `@` must not follow a name's
 * character (`ann@example.com` mentions nobody), and a name ends before a trailing `.` or `-` ("thanks @ann.").
 */
export const mentionPattern = /(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?)/g;

/**
 * Names that never mention anyone, even if an account takes them: Parley has no way to page a whole room, and a
 * person called "everyone" must not become one.
 */
export const unmentionable: ReadonlySet<string> = new Set(['everyone', 'here', 'channel', 'all']);

/** Fenced code blocks (``` or ~~~, to the closing fence or the end) and inline code spans (` … `, `` … ``). */
const fencedCode = /(^|\n)[ ]{0,3}(`{3,}|~{3,})[^\n]*(?:\n[\s\S]*?(?:\n[ ]{0,3}\2[`~]*[ \t]*(?=\n|$)|$)|$)/g;
const inlineCode = /(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g;

/** The words outside code: what the timeline renders as text, where an `@username` can be a mention. */
export const outsideCode = (body: string) => body.replace(fencedCode, '$1').replace(inlineCode, '');

/**
 * The distinct names a body mentions, lower-case, in the order they first appear. A name inside code is code (the
 * timeline shows it as written, not as a mention), so it mentions nobody.
 */
export function mentionedNames(body: string): string[] {
  // Most messages name nobody: no '@', nothing to look for (a send asks twice).
  if (!body.includes('@')) return [];
  const names = new Set<string>();
  for (const match of outsideCode(body).matchAll(mentionPattern)) {
    const name = match[1]?.toLowerCase();
    if (name && name.length >= 3 && !unmentionable.has(name)) names.add(name);
  }
  return [...names];
}

/**
 * The words as a reader sees them: each `@username` of someone mentioned as `@Display Name` (their name now), for
 * plain-text places — a preview, a notification — where no link can stand.
 */
export function withDisplayNames(
  body: string,
  mentions: readonly { username: string; displayName: string }[],
): string {
  if (mentions.length === 0) return body;
  const names = new Map(mentions.map((person) => [person.username.toLowerCase(), person.displayName]));
  return body.replace(mentionPattern, (token, name: string) => {
    const displayName = names.get(name.toLowerCase());
    return displayName === undefined ? token : `@${displayName}`;
  });
}

/** People who can read a room and whose name starts with what follows the `@` typed so far. */
export const mentionCandidatesInput = z.object({
  roomId: roomIdSchema,
  query: z
    .string()
    .max(30, 'A username is at most 30 characters.')
    .regex(/^[A-Za-z0-9_.-]*$/, 'A username uses letters, digits, _, . and -.'),
  limit: z.number().int().min(1).max(20).default(8),
});
