/** How much of the original a reply's quote shows. */
export const excerptLength = 120;

/**
 * The first words of a message as plain text, for a reply's quote: Markdown's marks and line breaks go, so the quote
 * reads as one line. The server makes it; a client makes it again when it sees the original edited.
 */
export function excerptOf(body: string): string {
  const plain = body
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_~`>#]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length <= excerptLength ? plain : `${plain.slice(0, excerptLength - 1).trimEnd()}…`;
}
