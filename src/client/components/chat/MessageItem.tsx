import { createSignal, Match, Show, Switch } from 'solid-js';
import { messagePreview } from '../../lib/chat/preview.ts';
import type { ReplyTo } from '../../lib/chat/replies.ts';
import type { Message, PublicUser } from '../../lib/chat/types.ts';
import { describeError } from '../../lib/errors.ts';
import { clockTime, exactTime, relativeTime } from '../../lib/time.ts';
import { Avatar } from '../Avatar.tsx';
import { AlertIcon } from './ChatIcons.tsx';
import { MarkdownBody } from './MarkdownBody.tsx';
import { MessageEditor } from './MessageEditor.tsx';
import { MessageImages } from './MessageImages.tsx';
import { MessageMenu } from './MessageMenu.tsx';
import { ModerateDialog, ReportDialog } from './ModerationDialogs.tsx';
import { ReactionBar, type ReactionBarProps } from './ReactionBar.tsx';
import { ReplyQuote } from './ReplyQuote.tsx';

export interface MessageItemProps {
  /** The stored message's place in its room: what a jump to it looks for. */
  seq?: number;
  /** The message a search (or the first unread) led to: marked until the reader moves on. */
  focused?: boolean;
  /** A stored message's id: a quote's jump finds its original by it. */
  id?: string;
  sender: PublicUser;
  body: string;
  /** Its images: thumbnails that open a full view. */
  attachments?: Message['attachments'] | undefined;
  createdAt: string;
  editedAt?: string | null;
  /** Set once the message is deleted: by whom. */
  deletedBy?: 'sender' | 'moderator' | null;
  /** Same sender, moments after the message above: no avatar or name again. */
  continued: boolean;
  now: number;
  /** For a message not stored yet. */
  status?: 'sending' | 'failed';
  error?: string | null;
  onRetry?: () => void;
  onDiscard?: () => void;
  /** The message this one replies to, quoted above it; `onJump` takes the reader to it. */
  replyTo?: ReplyTo | null | undefined;
  onJump?: () => void;
  /** Given for stored messages where you may write: the Reply action. */
  onReply?: () => void;
  /** Given for your own stored messages where you may still write: the Edit and Delete menu. */
  onEdit?: (body: string) => Promise<void>;
  onDelete?: () => Promise<void>;
  /** Given for someone else's stored message when you are signed in: the Report action. */
  onReport?: (reason: string) => Promise<void>;
  /** Given to admins for any stored message: Delete as moderator. */
  onModerate?: (reason: string) => Promise<void>;
  /** The room it is in: editing offers its readers after an `@`. */
  roomId?: number | undefined;
  /** The people the message mentions (stored messages); `meId` marks it when one of them is the reader. */
  mentions?: readonly PublicUser[] | undefined;
  meId?: number | undefined;
  /** Given for stored messages: the reaction bar (its picker opens from the menu's "Add reaction"). */
  reactions?: Omit<ReactionBarProps, 'picking' | 'onPickerClose'>;
}

function DeleteConfirm(props: { onConfirm: () => Promise<void>; onCancel: () => void }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
    } catch (cause) {
      setError(describeError(cause).message ?? 'The message could not be deleted.');
      setBusy(false);
    }
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset's legend cannot sit in line with the buttons.
    <div
      class="message-confirm"
      role="group"
      aria-label="Delete this message?"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        props.onCancel();
      }}
    >
      <span>Delete this message for everyone?</span>
      <button
        ref={(button) => queueMicrotask(() => button.focus())}
        type="button"
        class="button button-danger button-small"
        disabled={busy()}
        onClick={confirm}
      >
        Delete
      </button>
      <button
        type="button"
        class="button button-ghost button-small"
        disabled={busy()}
        onClick={props.onCancel}
      >
        Cancel
      </button>
      <Show when={error()}>
        <span class="message-error" role="alert">
          {error()}
        </span>
      </Show>
    </div>
  );
}

/** One message: avatar, name and time when it starts a group; the body as Markdown; its pending/failed state. */
export function MessageItem(props: MessageItemProps) {
  const [editing, setEditing] = createSignal(false);
  const [confirming, setConfirming] = createSignal(false);
  const [asking, setAsking] = createSignal<'report' | 'moderate' | null>(null);
  const [reported, setReported] = createSignal(false);
  const [picking, setPicking] = createSignal(false);
  let item: HTMLLIElement | undefined;
  const deleted = () => Boolean(props.deletedBy);
  const mentionsMe = () =>
    !deleted() &&
    props.sender.id !== props.meId &&
    (props.mentions ?? []).some((person) => person.id === props.meId);
  const backToMenu = () =>
    queueMicrotask(() => item?.querySelector<HTMLElement>('.message-actions-button')?.focus());
  // Tells the menus apart for assistive tech: whose message, when, and how it starts.
  const menuLabel = () =>
    `Actions for ${props.sender.displayName}'s message at ${clockTime(props.createdAt)}: ${messagePreview(props, 40)}`;
  const closeDialog = () => {
    setAsking(null);
    backToMenu();
  };

  return (
    <li
      ref={item}
      tabIndex={-1}
      data-message-id={props.id}
      class="message"
      data-seq={props.seq}
      classList={{
        'message-focused': props.focused,
        'message-continued': props.continued,
        'message-sending': props.status === 'sending',
        'message-failed': props.status === 'failed',
        'message-highlighted': editing() || confirming(),
        'message-mentions-me': mentionsMe(),
      }}
    >
      <div class="message-gutter">
        <Show
          when={!props.continued}
          fallback={
            <time class="message-gutter-time" datetime={props.createdAt} title={exactTime(props.createdAt)}>
              {clockTime(props.createdAt)}
            </time>
          }
        >
          <Avatar
            name={props.sender.displayName}
            username={props.sender.username}
            url={props.sender.avatarUrl}
          />
        </Show>
      </div>
      <div class="message-content">
        <Show when={!props.continued} fallback={<span class="sr-only">{props.sender.displayName}: </span>}>
          <p class="message-meta">
            <span class="message-author">{props.sender.displayName}</span>
            <time class="message-time" datetime={props.createdAt} title={exactTime(props.createdAt)}>
              {relativeTime(props.createdAt, props.now)}
            </time>
          </p>
        </Show>
        <Show when={props.replyTo}>{(quote) => <ReplyQuote quote={quote()} onJump={props.onJump} />}</Show>
        <Switch>
          <Match when={deleted()}>
            <p class="message-deleted">
              {props.deletedBy === 'moderator'
                ? 'This message was removed by a moderator'
                : 'This message was deleted'}
            </p>
          </Match>
          <Match when={editing() && props.onEdit}>
            {(onEdit) => (
              <MessageEditor
                initial={props.body}
                roomId={props.roomId}
                onSave={async (body) => {
                  await onEdit()(body);
                  setEditing(false);
                  backToMenu();
                }}
                onCancel={() => {
                  setEditing(false);
                  backToMenu();
                }}
              />
            )}
          </Match>
          <Match when={true}>
            <Show when={props.attachments?.length}>
              <MessageImages images={props.attachments ?? []} senderName={props.sender.displayName} />
            </Show>
            <div class="message-body">
              <MarkdownBody text={props.body} mentions={props.mentions} meId={props.meId} />
              <Show when={mentionsMe()}>
                <span class="sr-only"> (mentions you)</span>
              </Show>
              <Show when={props.editedAt}>
                {(editedAt) => (
                  <span class="message-edited" title={`Edited ${exactTime(editedAt())}`}>
                    {' '}
                    (edited)
                  </span>
                )}
              </Show>
            </div>
          </Match>
        </Switch>
        <Show when={!deleted() && !editing() && props.reactions}>
          {(reactions) => (
            <ReactionBar
              {...reactions()}
              picking={picking()}
              onPickerClose={() => {
                if (picking()) backToMenu();
                setPicking(false);
              }}
            />
          )}
        </Show>
        <Show when={confirming() && !deleted() && props.onDelete}>
          {(onDelete) => (
            <DeleteConfirm
              onConfirm={onDelete()}
              onCancel={() => {
                setConfirming(false);
                backToMenu();
              }}
            />
          )}
        </Show>
        <Show when={reported() && !deleted()}>
          <p class="message-status message-status-reported" role="status">
            Reported. A moderator will take a look.
          </p>
        </Show>
        <Show when={props.status === 'sending'}>
          <p class="message-status">
            <span class="spinner" aria-hidden="true" />
            Sending…
          </p>
        </Show>
        <Show when={props.status === 'failed'}>
          <p class="message-status message-status-failed" role="alert">
            <AlertIcon />
            <span>Not sent{props.error ? `: ${props.error}` : '.'}</span>
            <Show when={props.onRetry}>
              {(retry) => (
                <button type="button" class="link-button" onClick={() => retry()()}>
                  Retry
                </button>
              )}
            </Show>
            <button type="button" class="link-button" onClick={() => props.onDiscard?.()}>
              Discard
            </button>
          </p>
        </Show>
      </div>
      <Show
        when={
          (props.onReply ||
            props.onEdit ||
            props.onReport ||
            props.onModerate ||
            props.reactions?.canReact) &&
          !deleted() &&
          !editing() &&
          !confirming()
        }
      >
        <MessageMenu
          label={menuLabel()}
          onReply={props.onReply}
          onEdit={props.onEdit && (() => setEditing(true))}
          onDelete={props.onDelete && (() => setConfirming(true))}
          onReport={props.onReport && !reported() ? () => setAsking('report') : undefined}
          onModerate={props.onModerate && (() => setAsking('moderate'))}
          onReact={props.reactions?.canReact ? () => setPicking(true) : undefined}
        />
      </Show>
      {/* Not tied to the handlers: a message removed while its dialog is open still lets the dialog close. */}
      <Show when={asking() === 'report'}>
        <ReportDialog
          sender={props.sender.displayName}
          onSubmit={async (reason) => {
            await props.onReport?.(reason);
            setReported(true);
          }}
          onClose={closeDialog}
        />
      </Show>
      <Show when={asking() === 'moderate'}>
        <ModerateDialog
          sender={props.sender.displayName}
          onSubmit={async (reason) => {
            await props.onModerate?.(reason);
          }}
          onClose={closeDialog}
        />
      </Show>
    </li>
  );
}
