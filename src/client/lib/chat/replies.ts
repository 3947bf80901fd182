import { excerptOf } from '../../../shared/replies.ts';
import type { Message } from './types.ts';

/** What a reply's quote says of its original, and the reader's way back to it. */
export type ReplyTo = NonNullable<Message['replyTo']>;

/** How many older pages a jump to a quoted message loads at most before it gives up. */
const maxPagesBack = 20;
/** How long the original stays highlighted after a jump to it. */
const flashMs = 2_000;

/**
 * A reply's quote as the original is now: the server sends a quote with each reply, but an edit or a deletion of
 * the original reaches the client as that message only, so the client brings the quotes it holds up to date.
 */
export function quoteOf(original: Message, quote: ReplyTo): ReplyTo {
  const deleted = Boolean(original.deletedAt);
  return { ...quote, deleted, excerpt: deleted ? '' : excerptOf(original.body) };
}

/** The quote a new reply to `message` will show, before the server sends its own. */
export const replyQuoteOf = (message: Message): ReplyTo => ({
  id: message.id,
  seq: message.seq,
  sender: message.sender,
  excerpt: excerptOf(message.body),
  deleted: false,
});

/** What a jump needs of a conversation: its messages and a way to load the page before them. */
interface Pages {
  readonly messages: readonly Message[];
  hasOlder(): boolean;
  loadOlder(): Promise<void>;
}

/**
 * Scrolls to message `seq` and highlights it briefly, paging back (a bounded number of pages) until it is loaded.
 * Returns false when it is not found: deleted for good, or too far back. Kept apart so it can move to a history
 * that opens around a message, once there is one.
 */
export async function jumpToMessage(pages: Pages, list: HTMLElement, quote: ReplyTo): Promise<boolean> {
  for (let page = 0; page < maxPagesBack; page++) {
    if (pages.messages.some((message) => message.id === quote.id) || !pages.hasOlder()) break;
    await pages.loadOlder();
  }
  const target = list.querySelector<HTMLElement>(`li.message[data-message-id="${quote.id}"]`);
  if (!target) return false;
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
  target.classList.add('message-flash');
  setTimeout(() => target.classList.remove('message-flash'), flashMs);
  return true;
}
