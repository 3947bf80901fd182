import {
  createEffect,
  createMemo,
  createSignal,
  createUniqueId,
  For,
  type JSX,
  on,
  onCleanup,
  onMount,
  Show,
} from 'solid-js';
import type { Conversation } from '../../lib/chat/conversation.ts';
import type { ReplyTo } from '../../lib/chat/replies.ts';
import type { Message, PendingMessage, PublicUser } from '../../lib/chat/types.ts';
import { createNow, dayLabel, sameDay } from '../../lib/time.ts';
import { ArrowDownIcon } from './ChatIcons.tsx';
import { MessageItem } from './MessageItem.tsx';
import { rovingMessages } from './message-keys.ts';
import { createTimelineJumps } from './timeline-jumps.ts';

/** Messages from one sender less than a minute apart share one avatar and name. */
const groupWindowMs = 60_000;
/** How close to the bottom still counts as "at the bottom" (and so keeps following new messages). */
const bottomSlackPx = 64;
/** How close to the top starts loading the previous page, before the reader hits the end. */
const topSlackPx = 400;

interface Entry {
  sender: PublicUser;
  createdAt: string;
}

const continues = (previous: Entry | undefined, current: Entry) =>
  previous !== undefined &&
  previous.sender.id === current.sender.id &&
  sameDay(previous.createdAt, current.createdAt) &&
  Date.parse(current.createdAt) - Date.parse(previous.createdAt) < groupWindowMs;

const startsDay = (previous: Entry | undefined, current: Entry) =>
  previous === undefined || !sameDay(previous.createdAt, current.createdAt);

/** Who deleted a message, for the words shown in its place (moderator deletions say so). */
function deletedBy(message: Message): 'sender' | 'moderator' | null {
  if (!message.deletedAt) return null;
  return 'deletedBy' in message && message.deletedBy === 'moderator' ? 'moderator' : 'sender';
}

function DayDivider(props: { iso: string; now: number }) {
  return (
    <li class="day-divider">
      <span class="day-divider-label">{dayLabel(props.iso, props.now)}</span>
    </li>
  );
}

export interface TimelineProps {
  conversation: Conversation;
  pending: readonly PendingMessage[];
  /** The reader, when signed in: author of the pending messages, and of the messages they may change. */
  me: PublicUser | null;
  /** Whether the reader may write here now (not after an unfriend, nor while muted): send, edit, delete. */
  canSend: boolean;
  /** Why sending is off, for messages refused because of it ("you are muted."); the server's words otherwise. */
  blockedReason: string | null;
  /** An admin: may remove anyone's message as a moderator. */
  moderator?: boolean;
  /** Names the message log for assistive tech, e.g. "Messages in Public room". */
  label: string;
  /** Shown above the first message once the beginning of the room is loaded. */
  intro: JSX.Element;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  /** Called whenever the reader reaches or leaves the newest message. */
  onBottomChange: (atBottom: boolean) => void;
  /** Reply to a message (from its menu, or R on it): given where the reader may write. */
  onReply?: ((message: Message) => void) | undefined;
  /** Receives a function that scrolls to the newest message (after the reader sends one, say). */
  controls?: (scrollToBottom: () => void) => void;
}

/**
 * The scrolling message log. It follows new messages while the reader is at the bottom, keeps the reader's place
 * when older pages are added above, and loads those pages as the reader nears the top.
 */
export function Timeline(props: TimelineProps) {
  const now = createNow();
  const [atBottom, setAtBottom] = createSignal(true);
  const [unseen, setUnseen] = createSignal(0);
  let scroller: HTMLDivElement | undefined;
  let content: HTMLDivElement | undefined;
  let list: HTMLOListElement | undefined;
  const keysHint = createUniqueId();
  // Read when the content changes size: were we following the bottom just before?
  let following = true;
  // Where the log was when last measured: the reader leaves the bottom by moving up from there.
  let lastTop = 0;

  const scrollToBottom = () => {
    if (!scroller) return;
    following = true;
    scroller.scrollTop = scroller.scrollHeight;
  };
  props.controls?.(scrollToBottom);

  const jumps = createTimelineJumps({
    scroller: () => scroller,
    list: () => list,
    conversation: () => props.conversation,
    stopFollowing: () => {
      following = false;
    },
    measure: () => measure(),
  });
  const { scrollToUnread, scrollToMessage, checkUnreadInView } = jumps;

  const measure = () => {
    if (!scroller) return;
    const top = scroller.scrollTop;
    const nearBottom = scroller.scrollHeight - top - scroller.clientHeight < bottomSlackPx;
    // Messages that arrived below since the log was last pinned to the bottom (several within one frame, before
    // this scroll event) did not move the reader: only a move up leaves the bottom. The resize observer pins it.
    const bottom = nearBottom || (following && top >= lastTop);
    lastTop = top;
    // Away from the newest messages, the bottom of what is loaded is no place to stick to.
    following = bottom && !props.conversation.hasNewer();
    if (bottom !== atBottom()) setAtBottom(bottom);
    if (bottom) setUnseen(0);
    checkUnreadInView();
    props.onBottomChange(bottom);
  };

  async function loadOlder() {
    const conversation = props.conversation;
    if (!scroller || !conversation.hasOlder() || conversation.loadingOlder()) return;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    await conversation.loadOlder();
    // The new page went in above: put the reader back where they were.
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
    if (scroller.scrollTop < topSlackPx) requestAnimationFrame(() => void loadOlder());
  }

  const onScroll = () => {
    measure();
    if (!scroller) return;
    if (scroller.scrollTop < topSlackPx) void loadOlder();
    const fromBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    if (fromBottom < topSlackPx && props.conversation.hasNewer()) void props.conversation.loadNewer();
  };

  const jumpToLatest = () => {
    if (props.conversation.hasNewer()) props.conversation.backToLatest();
    else scrollToBottom();
  };

  onMount(() => {
    // Content that grows (a new message, an edit, a font) or a viewport that shrinks (the composer grows, the
    // keyboard opens) must not push the newest message out of sight while the reader is following it.
    const observer = new ResizeObserver(() => {
      if (following) scrollToBottom();
      // Otherwise what grew below (a page of newer messages) can hide the newest without moving the log, so
      // without a scroll event: "Jump to latest" must still show.
      else measure();
    });
    if (scroller) observer.observe(scroller);
    if (content) observer.observe(content);
    onCleanup(() => observer.disconnect());
    if (list) onCleanup(rovingMessages(list, { onReply: replyById }));
  });

  // Once the first page is in, fill the screen: a short page leaves the top in view, so load more.
  createEffect(
    on(
      () => props.conversation.status(),
      (status) => {
        if (status !== 'ready') return;
        const focus = props.conversation.focusSeq();
        const landing = props.conversation.landing();
        if (focus !== null) queueMicrotask(() => scrollToMessage(focus));
        else if (landing !== 'unread' || !scrollToUnread()) scrollToBottom();
        requestAnimationFrame(() => {
          if (scroller && scroller.scrollTop < topSlackPx) void loadOlder();
          measure();
        });
      },
    ),
  );

  // A jump within what is loaded (another search hit in this room) scrolls there.
  createEffect(
    on(
      () => props.conversation.focusSeq(),
      (seq) => seq !== null && props.conversation.status() === 'ready' && scrollToMessage(seq),
      { defer: true },
    ),
  );

  // Count what arrives below while the reader is looking further up.
  createEffect(
    on(
      () => props.conversation.newestSeq(),
      (seq, previous) => {
        // Only what arrives live: a newer page loaded while reading older messages is not news.
        const live = !props.conversation.loadingNewer();
        if (previous !== undefined && seq > previous && !atBottom() && live) setUnseen((count) => count + 1);
      },
    ),
  );

  const messages = () => props.conversation.messages;
  const replyable = (message: Message) => props.canSend && Boolean(props.onReply) && !message.deletedAt;
  function replyById(messageId: string) {
    const message = messages().find((each) => each.id === messageId);
    if (message && replyable(message)) props.onReply?.(message);
  }
  // A quote takes the reader to its original as a search hit does: from what is loaded, or the history around it.
  const jump = (quote: ReplyTo) => props.conversation.jumpTo(quote.seq);
  // Who reacted, by the names the timeline already shows; the reaction bar asks the server for the rest.
  const senderNames = createMemo(
    () => new Map(messages().map((message) => [message.sender.id, message.sender.displayName])),
  );
  const senderName = (userId: number) => senderNames().get(userId);
  const change = (message: Message) =>
    props.canSend && props.me?.id === message.sender.id && !message.deletedAt;
  // Retry only where it can work: after a server failure, or once the refusal's reason (a mute, an unfriend) ended.
  const retryable = (pending: PendingMessage) =>
    pending.retry === 'now' || (pending.retry === 'when-allowed' && props.canSend);
  // The words of a refusal whose reason ended (a mute lifted, friends again) no longer hold: say only that it was.
  const refusal = (pending: PendingMessage) => {
    if (pending.retry !== 'when-allowed') return pending.error;
    if (props.blockedReason) return props.blockedReason;
    return props.canSend ? 'sending was off then.' : pending.error;
  };
  const report = (message: Message) =>
    Boolean(props.me) && props.me?.id !== message.sender.id && !message.deletedAt;
  // An admin's own message has Delete already; moderating is for someone else's.
  const moderate = (message: Message) =>
    Boolean(props.moderator) && props.me?.id !== message.sender.id && !message.deletedAt;

  return (
    <div class="timeline-wrap">
      <div class="timeline" ref={scroller} onScroll={onScroll}>
        <div class="timeline-content" ref={content}>
          <div class="timeline-start">
            <Show when={props.conversation.hasOlder()} fallback={props.intro}>
              <button
                type="button"
                class="button button-ghost button-small"
                disabled={props.conversation.loadingOlder()}
                onClick={() => void loadOlder()}
              >
                <Show when={props.conversation.loadingOlder()} fallback="Load earlier messages">
                  <span class="spinner" aria-hidden="true" />
                  Loading earlier messages…
                </Show>
              </button>
            </Show>
          </div>
          <p id={keysHint} class="sr-only">
            Arrow keys move between messages; Enter opens a message's actions; R replies to it.
          </p>
          <div role="log" aria-live="polite" aria-relevant="additions" aria-label={props.label}>
            <ol class="messages" ref={list} aria-describedby={keysHint}>
              <For each={messages()}>
                {(message, index) => {
                  const previous = () => messages()[index() - 1];
                  return (
                    <>
                      <Show when={startsDay(previous(), message)}>
                        <DayDivider iso={message.createdAt} now={now()} />
                      </Show>
                      <Show when={message.seq === props.conversation.firstUnreadSeq()}>
                        <li class="unread-divider" data-unread-divider>
                          <span class="unread-divider-label">New messages</span>
                        </li>
                      </Show>
                      <MessageItem
                        seq={message.seq}
                        focused={message.seq === props.conversation.focusSeq()}
                        id={message.id}
                        replyTo={message.replyTo}
                        onJump={message.replyTo ? () => message.replyTo && jump(message.replyTo) : undefined}
                        onReply={replyable(message) ? () => props.onReply?.(message) : undefined}
                        sender={message.sender}
                        body={message.body}
                        roomId={message.roomId}
                        mentions={message.mentions}
                        meId={props.me?.id}
                        attachments={message.attachments}
                        createdAt={message.createdAt}
                        editedAt={message.editedAt}
                        deletedBy={deletedBy(message)}
                        continued={continues(previous(), message)}
                        now={now()}
                        onEdit={
                          change(message) ? (body) => props.conversation.edit(message.id, body) : undefined
                        }
                        onDelete={change(message) ? () => props.conversation.remove(message.id) : undefined}
                        onReport={
                          report(message)
                            ? (reason) => props.conversation.report(message.id, reason)
                            : undefined
                        }
                        onModerate={
                          moderate(message)
                            ? (reason) => props.conversation.moderate(message.id, reason)
                            : undefined
                        }
                        reactions={{
                          messageId: message.id,
                          reactions: message.reactions,
                          meId: props.me?.id,
                          nameOf: senderName,
                          canReact: Boolean(props.me) && props.canSend,
                          onChanged: props.conversation.upsert,
                        }}
                      />
                    </>
                  );
                }}
              </For>
              <Show when={props.me}>
                {(me) => (
                  <For each={props.pending}>
                    {(pending, index) => {
                      const entry = () => ({ sender: me(), createdAt: pending.createdAt });
                      const previous = (): Entry | undefined => {
                        const earlier = props.pending[index() - 1];
                        return earlier ? { sender: me(), createdAt: earlier.createdAt } : messages().at(-1);
                      };
                      return (
                        <>
                          <Show when={startsDay(previous(), entry())}>
                            <DayDivider iso={pending.createdAt} now={now()} />
                          </Show>
                          <MessageItem
                            sender={me()}
                            replyTo={pending.replyTo}
                            body={pending.body}
                            attachments={pending.attachments}
                            createdAt={pending.createdAt}
                            continued={continues(previous(), entry())}
                            now={now()}
                            status={pending.status}
                            error={refusal(pending)}
                            onRetry={retryable(pending) ? () => props.onRetry(pending.clientId) : undefined}
                            onDiscard={() => props.onDiscard(pending.clientId)}
                          />
                        </>
                      );
                    }}
                  </For>
                )}
              </Show>
            </ol>
          </div>
          <Show when={props.conversation.hasNewer()}>
            <div class="timeline-end">
              <button
                type="button"
                class="button button-ghost button-small"
                disabled={props.conversation.loadingNewer()}
                onClick={() => void props.conversation.loadNewer()}
              >
                <Show when={props.conversation.loadingNewer()} fallback="Load newer messages">
                  <span class="spinner" aria-hidden="true" />
                  Loading newer messages…
                </Show>
              </button>
            </div>
          </Show>
        </div>
      </div>
      <Show when={jumps.unreadOutOfView() && (!atBottom() || props.conversation.hasNewer())}>
        <button type="button" class="jump-unread" onClick={jumps.jumpToFirstUnread}>
          Jump to first unread
        </button>
      </Show>
      <Show when={!atBottom() || props.conversation.hasNewer()}>
        <button type="button" class="jump-latest" onClick={jumpToLatest}>
          <ArrowDownIcon />
          {unseen() > 0 ? `${unseen()} new ${unseen() === 1 ? 'message' : 'messages'}` : 'Jump to latest'}
        </button>
      </Show>
    </div>
  );
}
