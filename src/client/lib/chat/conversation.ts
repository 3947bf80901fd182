import { createMemo, createSignal, onCleanup } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { describeError, isServerError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import { quoteOf } from './replies.ts';
import { roomFeed } from './room-feed.ts';
import type { Message } from './types.ts';

const pageSize = 50;

/** `missing`: no such room, or not one the reader may see; trying again will not change that. */
export type ConversationStatus = 'loading' | 'ready' | 'error' | 'missing';

export interface ConversationEvents {
  /** A message created, edited or deleted, from the live stream. */
  onLive?(type: 'message.created' | 'message.edited' | 'message.deleted', message: Message): void;
}

export interface ConversationOptions {
  /** Open at this message (a search hit): loaded with the history around it, and highlighted. */
  aroundSeq?: number | null;
  /** The reader's position when the room had unread messages: open at the first unread, below a divider. */
  unreadAfter?: number | null;
  /** The reader, whose own messages are never "new". */
  userId?: number | null;
}

/** Where the log opens: the newest messages, a message led to, or the first unread. */
export type Landing = 'latest' | 'message' | 'unread';

type HistoryPage = Awaited<ReturnType<typeof trpc.chat.history.query>>;
/** Where the next newer page starts, for a page opened away from the newest message; null at the newest. */
const newerCursorOf = (page: HistoryPage): number | null =>
  'newerCursor' in page ? (page.newerCursor as number | null) : null;

/** Whether a room cannot be shown, and why, in words for its reader. */
function loadProblem(error: unknown): { status: 'error' | 'missing'; problem: string } {
  if (isServerError(error, 'NOT_FOUND')) {
    return { status: 'missing', problem: 'There is no conversation at this address.' };
  }
  if (isServerError(error, 'FORBIDDEN')) {
    return { status: 'missing', problem: 'Only the two people in it can read this conversation.' };
  }
  if (isServerError(error, 'UNAUTHORIZED'))
    return { status: 'error', problem: 'Sign in to read this conversation.' };
  return { status: 'error', problem: describeError(error).message ?? 'The messages could not be loaded.' };
}

/**
 * One room's messages, in seq order: the newest page of history, then the room's feed from the newest message
 * loaded (so nothing sent in between is lost), and older pages on demand. Every message is stored once,
 * by id, whichever way it arrived. Call inside a reactive owner; the stream ends with it.
 */
export function createConversation(
  roomId: number,
  events: ConversationEvents = {},
  options: ConversationOptions = {},
) {
  const [messages, setMessages] = createStore<Message[]>([]);
  const [status, setStatus] = createSignal<ConversationStatus>('loading');
  const [problem, setProblem] = createSignal<string | null>(null);
  const fail = (error: unknown) => {
    const why = loadProblem(error);
    setProblem(why.problem);
    setStatus(why.status);
  };
  /** The seq to pass as `beforeSeq` for the next older page; `null` once the beginning is loaded. */
  const [cursor, setCursor] = createSignal<number | null>(null);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  /**
   * Set while the loaded messages stop short of the newest (the room was opened at a search hit): the `afterSeq`
   * of the next newer page. The live feed is followed only once the newest message is loaded.
   */
  const [newerCursor, setNewerCursor] = createSignal<number | null>(null);
  const [loadingNewer, setLoadingNewer] = createSignal(false);
  /**
   * The message the reader was sent to (a search hit), shown highlighted. Set again to the same message (the same
   * quote clicked twice, the reader having moved away meanwhile), it is a new jump.
   */
  const [focusSeq, setFocusSeq] = createSignal<number | null>(null, { equals: false });
  const [landing, setLanding] = createSignal<Landing>('latest');
  const unreadAfter = options.unreadAfter ?? null;
  /** The first message that was new when the room was opened, once loaded: the divider goes above it. */
  const firstUnreadSeq = createMemo(() =>
    unreadAfter === null
      ? null
      : (messages.find((m) => m.seq > unreadAfter && m.sender.id !== options.userId)?.seq ?? null),
  );
  let unfollow: (() => void) | undefined;
  let disposed = false;

  const indexOf = (id: string) => {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.id === id) return i;
    return -1;
  };

  /** Adds or updates a message in place, keeping seq order. */
  const upsert = (message: Message) => {
    // Replies loaded here may quote it even when the message itself is not loaded (it is further back).
    if (message.editedAt || message.deletedAt) refreshQuotes(message);
    const index = indexOf(message.id);
    if (index >= 0) {
      setMessages(index, reconcile(message));
      return;
    }
    // Older than the oldest page loaded (or newer than the newest, away from it): it shows up, as it is then,
    // when that page is.
    const oldest = messages[0];
    if (cursor() !== null && oldest && message.seq < oldest.seq) return;
    if (newerCursor() !== null && message.seq > (messages.at(-1)?.seq ?? 0)) return;
    setMessages(
      produce((list) => {
        let at = list.length;
        while (at > 0 && list[at - 1]!.seq > message.seq) at--;
        list.splice(at, 0, message);
      }),
    );
  };

  /** The replies loaded here quote `original` as it is now (edited, or deleted). */
  const refreshQuotes = (original: Message) =>
    setMessages(
      (message) => message.replyTo?.id === original.id,
      'replyTo',
      (quote) => quote && quoteOf(original, quote),
    );

  /** Follows the room's feed (shared with the rest of the tab) from after `since`. */
  const follow = (since: number) => {
    unfollow?.();
    unfollow = roomFeed(roomId).listen(since, {
      onEvent({ type, message }) {
        upsert(message);
        events.onLive?.(type, message);
      },
      onRefused: fail,
    });
  };

  /** Loads the newest page, or the page around `aroundSeq`, and follows the feed once the newest is loaded. */
  async function start(aroundSeq: number | null = null, focus: number | null = null) {
    unfollow?.();
    unfollow = undefined;
    setStatus('loading');
    setProblem(null);
    setFocusSeq(focus);
    setLanding(focus !== null ? 'message' : aroundSeq !== null ? 'unread' : 'latest');
    try {
      const page = await trpc.chat.history.query(
        aroundSeq === null ? { roomId, limit: pageSize } : { roomId, aroundSeq, limit: pageSize },
      );
      if (disposed) return;
      setMessages(reconcile([...page.items].reverse(), { key: 'id' }));
      setCursor(page.nextCursor);
      setNewerCursor(newerCursorOf(page));
      setStatus('ready');
      if (newerCursor() === null) follow(page.items[0]?.seq ?? 0);
    } catch (error) {
      if (disposed) return;
      fail(error);
    }
  }

  onCleanup(() => {
    disposed = true;
    unfollow?.();
  });
  if (options.aroundSeq) void start(options.aroundSeq, options.aroundSeq);
  else void start(unreadAfter);

  return {
    messages,
    status,
    problem,
    hasOlder: () => cursor() !== null,
    loadingOlder,
    /** Whether newer messages exist than those loaded (opened at a search hit): "Jump to latest" reloads. */
    hasNewer: () => newerCursor() !== null,
    loadingNewer,
    focusSeq,
    landing,
    firstUnreadSeq,
    /** Whether the first unread message lies above the pages loaded (the reader went back to the newest). */
    unreadAbove: () =>
      unreadAfter !== null &&
      firstUnreadSeq() === null &&
      cursor() !== null &&
      (messages[0]?.seq ?? 0) > unreadAfter,
    /** Opens the log at the first message that was new when the room was opened. */
    showFirstUnread() {
      if (unreadAfter !== null) void start(unreadAfter);
    },
    /** Shows the message at `seq` in its context: from what is loaded, or the history around it. */
    jumpTo(seq: number) {
      const loaded = messages.some((message) => message.seq === seq);
      if (loaded) setFocusSeq(seq);
      else void start(seq, seq);
    },
    /** Back to the newest messages, following the room live again. */
    backToLatest() {
      setFocusSeq(null);
      if (newerCursor() !== null) void start();
    },
    /** The next newer page while away from the newest; once it reaches the newest, the live feed takes over. */
    async loadNewer(): Promise<void> {
      const after = newerCursor();
      if (after === null || loadingNewer()) return;
      setLoadingNewer(true);
      try {
        const page = await trpc.chat.history.query({ roomId, afterSeq: after, limit: pageSize });
        if (disposed) return;
        const known = new Set(messages.map((message) => message.id));
        const newer = page.items.filter((message) => !known.has(message.id)).reverse();
        setMessages(produce((list) => list.push(...newer)));
        setNewerCursor(newerCursorOf(page));
        // Whatever was sent since this page was read comes from the feed, resumed after the newest loaded.
        if (newerCursor() === null) follow(messages.at(-1)?.seq ?? after);
      } catch (error) {
        console.warn('Could not load newer messages', error);
      } finally {
        setLoadingNewer(false);
      }
    },
    /** The highest seq shown: what "read up to here" means. */
    newestSeq: () => messages.at(-1)?.seq ?? 0,
    upsert,
    retry() {
      const focus = focusSeq();
      void start(focus ?? (landing() === 'unread' ? unreadAfter : null), focus);
    },
    async loadOlder(): Promise<void> {
      const before = cursor();
      if (before === null || loadingOlder()) return;
      setLoadingOlder(true);
      try {
        const page = await trpc.chat.history.query({ roomId, beforeSeq: before, limit: pageSize });
        if (disposed) return;
        const known = new Set(messages.map((message) => message.id));
        const older = page.items.filter((message) => !known.has(message.id)).reverse();
        setMessages(produce((list) => list.unshift(...older)));
        setCursor(page.nextCursor);
      } catch (error) {
        console.warn('Could not load older messages', error);
      } finally {
        setLoadingOlder(false);
      }
    },
    async edit(messageId: string, body: string): Promise<void> {
      upsert(await trpc.chat.edit.mutate({ messageId, body }));
    },
    async remove(messageId: string): Promise<void> {
      upsert(await trpc.chat.delete.mutate({ messageId }));
    },
    async report(messageId: string, reason: string): Promise<void> {
      await trpc.chat.report.mutate({ messageId, reason });
    },
    /** Removes anyone's message as a moderator (admins only); the reason goes to the audit log. */
    async moderate(messageId: string, reason: string): Promise<void> {
      upsert(await trpc.admin.messages.delete.mutate({ messageId, reason }));
    },
  };
}

export type Conversation = ReturnType<typeof createConversation>;
