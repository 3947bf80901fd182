/**
 * The first letters of a name's first and last words ("Ada Lovelace" → "AL"), skipping marks a name may hold
 * ("Bob <b>Builder</b>" → "BB"); a name with no letter or digit at all keeps its first character (an emoji).
 */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  // Array.from splits by code point, so an emoji or accented letter is not cut in half.
  const firstLetters = words
    .map((word) => Array.from(word).find((character) => /[\p{L}\p{N}]/u.test(character)))
    .filter((letter) => letter !== undefined);
  if (firstLetters.length === 0) return Array.from(words[0] ?? '')[0] ?? '';
  const letters = firstLetters.length > 1 ? [firstLetters[0], firstLetters.at(-1)] : [firstLetters[0]];
  return letters.join('').toUpperCase();
}
