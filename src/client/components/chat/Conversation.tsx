import { A } from '@solidjs/router';
import {
  createEffect,
  createMemo,
  createSignal,
  Match,
  on,
  onCleanup,
  Show,
  Switch,
  untrack,
} from 'solid-js';
import { useAuth } from '../../lib/auth.ts';
import { createActivity, typingText } from '../../lib/chat/activity.ts';
import { createConversation } from '../../lib/chat/conversation.ts';
import { createImageTray } from '../../lib/chat/image-tray.ts';
import { type ReplyTo, replyQuoteOf } from '../../lib/chat/replies.ts';
import { useChat } from '../../lib/chat/session.ts';
import type { Message, PublicUser } from '../../lib/chat/types.ts';
import { usePageTitle } from '../../lib/title.ts';
import { trpc } from '../../lib/trpc.ts';
import { createWindowFocus } from '../../lib/window-focus.ts';
import { MuteButton } from '../alerts/MuteButton.tsx';
import { Composer, imageFiles } from './Composer.tsx';
import { FormerFriendNote, MuteNote, SignInPrompt } from './ComposerNotes.tsx';
import { ConversationHeader } from './ConversationHeader.tsx';
import { ImageTrayChips } from './ImageTray.tsx';
import { ReplyBar } from './ReplyQuote.tsx';
import { Timeline } from './Timeline.tsx';

/** What a page knows about a room before the signed-in room list does (or for a signed-out visitor). */
export interface RoomSummary {
  id: number;
  kind: 'public' | 'private';
  name: string;
  other?: PublicUser;
}

/** Where a conversation should be and is not: a bad address, a room that is gone, or someone else's. */
export function ConversationMissing(props: { reason?: string }) {
  usePageTitle(() => 'Conversation not found');
  return (
    <section class="conversation-problem" aria-labelledby="conversation-missing-title">
      <h1 id="conversation-missing-title" class="conversation-problem-title">
        Conversation not found
      </h1>
      <p>{props.reason ?? 'There is no conversation at this address.'}</p>
      <A href="/chat" class="button button-primary">
        See your conversations
      </A>
    </section>
  );
}

/**
 * One open room: its header, the message log and the composer. Mount it once per room (keyed by id): it opens
 * the room's streams and closes them when it goes.
 */
export function Conversation(props: { roomId: number; room?: RoomSummary; focusSeq?: number | null }) {
  const roomId = untrack(() => props.roomId);
  const auth = useAuth();
  const session = untrack(useChat());
  const me = () => (session ? (auth.user() ?? null) : null);
  const outbox = session?.outbox(roomId);
  const activity = createActivity(roomId, session?.userId ?? null);
  const conversation = createConversation(
    roomId,
    {
      onLive(type, message) {
        if (type !== 'message.created') return;
        activity.stopped(message.sender.id, message.createdAt);
        if (message.sender.id === session?.userId) outbox?.settle(message.clientId);
      },
    },
    {
      aroundSeq: untrack(() => props.focusSeq),
      // Unread when opened: land at the first new message, below a divider.
      unreadAfter: untrack(() => {
        const known = session?.room(roomId);
        return known && known.unread > 0 ? known.readSeq : null;
      }),
      userId: session?.userId ?? null,
    },
  );
  // Another search hit in this room, while it is open: go there.
  createEffect(
    on(
      () => props.focusSeq,
      (seq) => seq && conversation.jumpTo(seq),
      { defer: true },
    ),
  );
  if (outbox) onCleanup(outbox.onStored((message) => conversation.upsert(message)));
  // A message already in the log (its history loaded after a resend stored it) is not shown again as pending,
  // whichever arrives first: the send's answer or the history.
  const pending = createMemo(() => {
    const items = outbox?.items ?? [];
    if (items.length === 0) return items;
    const stored = new Set(
      conversation.messages.filter((m) => m.sender.id === session?.userId).map((m) => m.clientId),
    );
    return items.filter((item) => !stored.has(item.clientId));
  });

  const listed = () => session?.room(roomId);
  const room = (): RoomSummary | undefined => listed() ?? props.room;
  const otherFromHistory = createMemo(
    () => conversation.messages.find((message) => message.sender.id !== session?.userId)?.sender,
  );
  const other = () => room()?.other ?? otherFromHistory();
  const kind = () => room()?.kind ?? 'private';
  const name = () => room()?.name ?? other()?.displayName ?? 'Direct message';
  // A room missing from the list is new (the other person opened it a moment ago): fetch the list for its name.
  if (session && untrack(() => session.roomsStatus() === 'ready' && !listed())) {
    session.reloadRooms().catch(() => {});
  }
  const formerFriend = () => listed()?.formerFriend === true;
  const mute = () => session?.mute() ?? null;
  const canSend = () => !formerFriend() && !mute();

  // Read means: the newest message is on screen and the window is in front (only then does shown mean read).
  const focused = createWindowFocus();
  const [atBottom, setAtBottom] = createSignal(true);
  createEffect(() => {
    if (!session || !atBottom() || !focused() || conversation.status() !== 'ready') return;
    const seq = conversation.newestSeq();
    if (seq > 0) session.markRead(roomId, seq);
  });
  // While reading, the server hears every few seconds; it hears at once when the reader stops reading here:
  // the window loses focus or is hidden (which a closing page is, first), or the reader goes to another room.
  if (session) {
    createEffect(on(focused, (isFocused) => !isFocused && session.flushRead(roomId), { defer: true }));
    onCleanup(() => session.flushRead(roomId));
  }

  usePageTitle(name);

  let scrollToBottom = () => {};
  let footer: HTMLElement | undefined;
  const [replyingTo, setReplyingTo] = createSignal<ReplyTo | null>(null);
  const startReply = (message: Message) => {
    setReplyingTo(replyQuoteOf(message));
    footer?.querySelector<HTMLTextAreaElement>('.composer-input')?.focus();
  };
  const cancelReply = () => {
    setReplyingTo(null);
    footer?.querySelector<HTMLTextAreaElement>('.composer-input')?.focus();
  };
  const typing = () => typingText(activity.typists());
  const tray = session ? createImageTray(roomId) : null;
  const [dropping, setDropping] = createSignal(false);
  const dropTarget = () => Boolean(tray && canSend());
  const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

  return (
    <Show
      when={conversation.status() !== 'missing'}
      fallback={<ConversationMissing reason={conversation.problem() ?? undefined} />}
    >
      <section
        class="conversation"
        classList={{ 'conversation-dropping': dropping() }}
        aria-label={name()}
        // Images dropped anywhere on the conversation go with the next message.
        onDragOver={(event) => {
          if (!dropTarget() || !carriesFiles(event)) return;
          event.preventDefault();
          setDropping(true);
        }}
        onDragLeave={(event) => {
          if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
          setDropping(false);
        }}
        onDrop={(event) => {
          setDropping(false);
          if (!dropTarget() || !carriesFiles(event)) return;
          event.preventDefault();
          tray?.add(imageFiles(event.dataTransfer?.files));
        }}
      >
        <ConversationHeader
          kind={kind()}
          name={name()}
          other={other()}
          online={other() && !formerFriend() ? session?.isOnline(other()!.id) : undefined}
          connected={activity.connected()}
          actions={<MuteButton roomId={roomId} />}
        />
        <Switch>
          <Match when={conversation.status() === 'error'}>
            <div class="conversation-problem" role="alert">
              <p>{conversation.problem()}</p>
              <button type="button" class="button" onClick={() => conversation.retry()}>
                Try again
              </button>
            </div>
          </Match>
          <Match when={conversation.status() === 'loading'}>
            <div class="conversation-loading" role="status">
              <span class="spinner" aria-hidden="true" />
              Loading messages…
            </div>
          </Match>
          <Match when={conversation.status() === 'ready'}>
            <Timeline
              conversation={conversation}
              pending={pending()}
              me={me()}
              canSend={canSend()}
              blockedReason={mute() ? 'you are muted.' : null}
              moderator={me()?.role === 'admin'}
              label={`Messages in ${name()}`}
              intro={
                <div class="room-intro">
                  <h2 class="room-intro-title">
                    {kind() === 'public'
                      ? 'Welcome to the public room'
                      : `This is the beginning of your chat with ${name()}`}
                  </h2>
                  <p class="muted">
                    {kind() === 'public'
                      ? 'Everyone on this server can read and write here. Be kind.'
                      : 'Only the two of you can see these messages.'}
                  </p>
                </div>
              }
              onRetry={(clientId) => outbox?.retry(clientId)}
              onDiscard={(clientId) => outbox?.discard(clientId)}
              onBottomChange={setAtBottom}
              onReply={session && canSend() ? startReply : undefined}
              controls={(scroll) => {
                scrollToBottom = scroll;
              }}
            />
          </Match>
        </Switch>
        <footer class="conversation-footer" ref={footer}>
          <p class="typing" aria-live="polite">
            <Show when={typing()}>
              <span class="typing-dots" aria-hidden="true">
                <span />
                <span />
                <span />
              </span>
              {typing()}
            </Show>
          </p>
          <Switch
            fallback={
              <Show when={session}>
                {(current) => (
                  <>
                    <Show when={replyingTo()}>
                      {(quote) => <ReplyBar quote={quote()} onCancel={cancelReply} />}
                    </Show>
                    <Show when={tray}>{(images) => <ImageTrayChips tray={images()} />}</Show>
                    <Composer
                      roomId={roomId}
                      label={`Message ${name()}`}
                      placeholder={`Message ${name()}`}
                      draft={current().drafts.get(roomId)}
                      onDraft={(text) => current().drafts.set(roomId, text)}
                      onSend={(body) => {
                        // A message sent while reading older ones goes where it belongs: after the newest.
                        conversation.backToLatest();
                        outbox?.send(body, replyingTo(), tray?.take());
                        setReplyingTo(null);
                        scrollToBottom();
                      }}
                      onEscape={replyingTo() ? cancelReply : undefined}
                      tray={tray ?? undefined}
                      onTyping={() => {
                        trpc.chat.typing.mutate({ roomId }).catch(() => {
                          // Only a hint for the others: a lost one does no harm.
                        });
                      }}
                    />
                  </>
                )}
              </Show>
            }
          >
            <Match when={!session}>
              <SignInPrompt />
            </Match>
            <Match when={formerFriend()}>
              <FormerFriendNote other={other()} />
            </Match>
            <Match when={mute()}>{(current) => <MuteNote mute={current()} />}</Match>
          </Switch>
        </footer>
      </section>
    </Show>
  );
}
