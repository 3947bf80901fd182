import { plainPreview } from './plain-text.ts';

/** How much of the original a reply's quote shows. */
export const excerptLength = 120;

/**
 * The first words of a message as plain text, for a reply's quote and a mention's notice: Markdown's marks and line
 * breaks go, so the quote reads as one line. The server makes it; a client makes it again when it sees the
 * original edited.
 */
export const excerptOf = (body: string): string => plainPreview(body, excerptLength);
