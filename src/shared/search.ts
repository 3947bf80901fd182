import { z } from 'zod';
import { roomIdSchema } from './chat.ts';
import { lineText } from './text.ts';

export const maxSearchWords = 8;
export const maxSearchLength = 100;

/**
 * A word as search sees it: a run of letters and digits, with the marks letters carry (Thai and Indic vowel signs,
 * Arabic vowels, a combining accent), as PostgreSQL's parser keeps them in the indexed words (Message.searchVector).
 * Without marks, `สวัสดี` or `नमस्ते` fell apart into pieces no indexed word equals.
 */
export const wordPattern = /[\p{L}\p{M}\p{N}]+/gu;
/**
 * Marks with no letter or digit to carry them are no word: the parser indexes none. (Said apart, not in the pattern:
 * a pattern that must find a letter after any marks backtracks over a long run of them, quadratically.)
 */
const letterOrDigit = /[\p{L}\p{N}]/u;

/**
 * The words of a search or a message as search sees them (`wordPattern`), lowercased. The server builds its query
 * from these and marks the same words in what it finds, so what is highlighted is what matched.
 */
export function searchWords(text: string): string[] {
  return (text.toLowerCase().match(wordPattern) ?? []).filter((word) => letterOrDigit.test(word));
}

/** A page's last hit (its rank and id): the next page starts after it. */
export const searchCursor = z
  .string()
  .regex(/^[0-9.eE+-]{1,32}:\d{1,18}$/, 'That is not a cursor this search gave.')
  .refine(
    (cursor) => Number.isFinite(Number(cursor.split(':')[0])),
    'That is not a cursor this search gave.',
  );

export const messageSearchInput = z.object({
  query: lineText()
    .trim()
    .min(2, 'Type at least 2 characters to search for.')
    .max(maxSearchLength, `Search text is at most ${maxSearchLength} characters.`)
    .refine((query) => searchWords(query).length > 0, 'Search for a word: letters or digits.')
    .refine(
      (query) => searchWords(query).length <= maxSearchWords,
      `Search for at most ${maxSearchWords} words at a time.`,
    ),
  /** One room; leave it out to search every room the caller can read. */
  roomId: roomIdSchema.nullish(),
  cursor: searchCursor.nullish(),
  limit: z.number().int().min(1).max(50).default(20),
});
export type MessageSearchInput = z.infer<typeof messageSearchInput>;

/** A stretch of a snippet's text that matched: `text.slice(start, end)`. Offsets count UTF-16 code units. */
export interface Highlight {
  start: number;
  end: number;
}

/** The part of a message shown in a result, as plain text: the client marks `highlights`, and never parses HTML. */
export interface Snippet {
  text: string;
  highlights: Highlight[];
  /** Whether text was left out before or after the snippet (the client shows an ellipsis). */
  cutBefore: boolean;
  cutAfter: boolean;
}
