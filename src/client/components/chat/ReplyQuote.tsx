import type { ReplyTo } from '../../lib/chat/replies.ts';
import { CloseIcon, ReplyIcon } from './ChatIcons.tsx';

/** What the quote says: the original's first words, or that it is gone. Text only, never HTML. */
// Only a message of images has no words to quote.
const quoteText = (quote: ReplyTo) =>
  quote.deleted ? 'Original message was deleted' : quote.excerpt || 'Image';

/**
 * The quote above a reply: who wrote the original and how it starts. A button: it takes the reader to the
 * original (loading older messages if need be), which is highlighted for a moment.
 */
export function ReplyQuote(props: { quote: ReplyTo; onJump?: (() => void) | undefined }) {
  return (
    <button
      type="button"
      class="reply-quote"
      classList={{ 'reply-quote-deleted': props.quote.deleted }}
      disabled={!props.onJump}
      aria-label={`Reply to ${props.quote.sender.displayName}: ${quoteText(props.quote)}. Show the original message.`}
      onClick={() => props.onJump?.()}
    >
      <ReplyIcon />
      <span class="reply-quote-author">{props.quote.sender.displayName}</span>
      <span class="reply-quote-text">{quoteText(props.quote)}</span>
    </button>
  );
}

/** Above the composer while a reply is being written: to whom, and a way out (the button, or Escape). */
export function ReplyBar(props: { quote: ReplyTo; onCancel: () => void }) {
  return (
    <div class="reply-bar" role="status">
      <ReplyIcon />
      <span class="reply-bar-text">
        Replying to <strong>{props.quote.sender.displayName}</strong>
        <span class="reply-quote-text">{quoteText(props.quote)}</span>
      </span>
      <button
        type="button"
        class="icon-button reply-bar-cancel"
        aria-label="Cancel reply (Escape)"
        title="Cancel reply (Escape)"
        onClick={() => props.onCancel()}
      >
        <CloseIcon />
      </button>
    </div>
  );
}
