import { type Highlight, type Snippet, searchWords, wordPattern } from '../../../shared/search.ts';

/** The last word of a search also finds longer words it begins ("meet" finds "meeting"), from this length on. */
export const minPrefixLength = 3;
/** A snippet's length: a line or two of a result list. */
const snippetLength = 240;
/** How much of the text before the first match a long message's snippet keeps. */
const leadIn = 60;

/** Whether a word of a message matches the search's words, as PostgreSQL's query built by `toTsQuery` does. */
function matcher(words: string[]): (word: string) => boolean {
  const exact = new Set(words.slice(0, -1));
  const last = words.at(-1) ?? '';
  if (last.length < minPrefixLength) exact.add(last);
  return (word) => exact.has(word) || (last.length >= minPrefixLength && word.startsWith(last));
}

/**
 * The search as a `to_tsquery` text: every word must be there, the last one also as the start of a longer word.
 * The words are letters and digits only (see `searchWords`), so nothing typed can change the query's syntax.
 */
export function toTsQuery(query: string): string {
  const words = searchWords(query);
  const last = words.at(-1) ?? '';
  const tail = last.length >= minPrefixLength ? `${last}:*` : last;
  return [...words.slice(0, -1), tail].join(' & ');
}

/** Where the search's words are in `text`. */
export function highlightsIn(text: string, query: string): Highlight[] {
  const matches = matcher(searchWords(query));
  const found: Highlight[] = [];
  for (const word of text.matchAll(wordPattern)) {
    if (matches(word[0].toLowerCase())) found.push({ start: word.index, end: word.index + word[0].length });
  }
  return found;
}

/** A long message is cut to the stretch around its first match, starting at a word when one starts nearby. */
export function snippetOf(body: string, query: string): Snippet {
  const highlights = highlightsIn(body, query);
  if (body.length <= snippetLength) return { text: body, highlights, cutBefore: false, cutAfter: false };
  let start = Math.max(0, (highlights[0]?.start ?? 0) - leadIn);
  const space = body.slice(start, start + 20).search(/\s/);
  if (start > 0 && space >= 0) start += space + 1;
  // Never split a character made of two UTF-16 units.
  if (/[\udc00-\udfff]/.test(body[start] ?? '')) start++;
  let end = Math.min(body.length, start + snippetLength);
  if (/[\udc00-\udfff]/.test(body[end] ?? '')) end--;
  return {
    text: body.slice(start, end),
    highlights: highlights
      .filter((h) => h.start >= start && h.end <= end)
      .map((h) => ({ start: h.start - start, end: h.end - start })),
    cutBefore: start > 0,
    cutAfter: end < body.length,
  };
}
