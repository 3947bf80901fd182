import { createSignal } from 'solid-js';
import type { Conversation } from '../../lib/chat/conversation.ts';

export interface TimelineJumpOptions {
  scroller: () => HTMLElement | undefined;
  list: () => HTMLElement | undefined;
  conversation: () => Conversation;
  /**
   * Forgets that the log was following: a jump is no scroll of the reader's (opening at a message, it moves down),
   * so where it lands alone decides whether the log follows.
   */
  stopFollowing: () => void;
  /** Reads where the log is: at the bottom (so following new messages) or not, with "Jump to latest" if not. */
  measure: () => void;
}

/**
 * The log's jumps to a place other than the newest message: a message a search led to, and the first unread below
 * its "New messages" divider, with whether that divider is out of sight (so "Jump to first unread" is offered).
 */
export function createTimelineJumps(options: TimelineJumpOptions) {
  /**
   * Scrolls the log (only the log: `scrollIntoView` would move the page under the header too) so that `element`
   * starts `fraction` of the way down.
   */
  const scrollTo = (element: HTMLElement, fraction: number) => {
    const scroller = options.scroller();
    if (!scroller) return;
    options.stopFollowing();
    const offset = element.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTop += offset - scroller.clientHeight * fraction;
    // Landing at the bottom (everything fits, or the message is among the newest) the log follows on from there.
    // Measured now: when nothing had to move, no scroll event comes to do it.
    options.measure();
  };

  /** Puts the "New messages" divider near the top, the last message read above it; false when not loaded. */
  const scrollToUnread = () => {
    const divider = options.list()?.querySelector<HTMLElement>('[data-unread-divider]');
    if (!divider) return false;
    scrollTo(divider, 0.2);
    return true;
  };

  /** Whether the divider is out of sight (or not loaded while the first unread is above): the jump is offered. */
  const [unreadOutOfView, setUnreadOutOfView] = createSignal(false);
  const checkUnreadInView = () => {
    const divider = options.list()?.querySelector<HTMLElement>('[data-unread-divider]');
    const scroller = options.scroller();
    if (!divider || !scroller) {
      setUnreadOutOfView(options.conversation().unreadAbove());
      return;
    }
    const box = divider.getBoundingClientRect();
    const view = scroller.getBoundingClientRect();
    setUnreadOutOfView(box.bottom < view.top || box.top > view.bottom);
  };

  const jumpToFirstUnread = () => {
    if (!scrollToUnread()) options.conversation().showFirstUnread();
    requestAnimationFrame(checkUnreadInView);
  };

  /** Brings the message at `seq` to the middle of the log and gives it keyboard focus. */
  const scrollToMessage = (seq: number) => {
    const item = options.list()?.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
    if (!item) return;
    scrollTo(item, 0.4);
    item.focus({ preventScroll: true });
  };

  return { scrollToMessage, scrollToUnread, unreadOutOfView, checkUnreadInView, jumpToFirstUnread };
}
