import { A } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { describeError } from '../lib/errors.ts';
import { useFriends } from '../lib/friends.ts';
import { type Notification, useNotifications } from '../lib/notifications.ts';
import { Avatar } from './Avatar.tsx';
import { CheckIcon } from './Icons.tsx';
import { RelativeTime } from './RelativeTime.tsx';

const acceptedAnswer = 'Accepted. You are now friends.';

export interface NotificationItemProps {
  item: Notification;
  /** Unread, or unread when the panel opened: highlighted as new. */
  fresh: boolean;
  onError: (message: string | null) => void;
}

/**
 * One notification; a friend request still waiting for an answer can be answered right here. Following it, or
 * answering it, reads it.
 */
export function NotificationItem(props: NotificationItemProps) {
  const friends = useFriends();
  const notifications = useNotifications();
  const [busy, setBusy] = createSignal<'accept' | 'decline' | null>(null);
  const [answer, setAnswer] = createSignal<string | null>(null);
  const askable = () =>
    props.item.kind === 'friend_request.received' &&
    props.item.requestPending &&
    props.item.requestId !== null;

  /**
   * Friends now (they said yes to ours, or we to theirs): the next thing people do is talk, so the notice offers
   * it, as the friends list does.
   */
  const nowFriends = () =>
    props.item.kind === 'friend_request.accepted' ||
    (props.item.kind === 'friend_request.received' &&
      (answer() === acceptedAnswer || props.item.requestStatus === 'accepted'));

  const failed = (cause: unknown) =>
    props.onError(describeError(cause).message ?? 'That did not work. Please try again.');

  const message = async () => {
    const actor = props.item.actor;
    if (!actor) return;
    props.onError(null);
    read();
    try {
      await friends.message(actor.id);
    } catch (cause) {
      failed(cause);
    }
  };

  /** A request answered elsewhere (the Requests page, another tab) says how it ended. */
  const outcome = () => {
    if (props.item.kind !== 'friend_request.received') return null;
    const status = props.item.requestStatus;
    if (status === 'accepted') return 'Accepted: you are friends.';
    if (status === 'declined') return 'Declined.';
    if (status === 'cancelled') return 'They cancelled this request.';
    return null;
  };

  const read = () => {
    if (props.item.readAt !== null) return;
    notifications.markRead([props.item.id]).catch(failed);
  };

  const respond = async (accept: boolean) => {
    const requestId = props.item.requestId;
    if (requestId === null) return;
    setBusy(accept ? 'accept' : 'decline');
    props.onError(null);
    try {
      await friends.answer(requestId, accept);
      setAnswer(accept ? acceptedAnswer : 'Declined.');
      notifications.settle(props.item.id);
      read();
    } catch (cause) {
      failed(cause);
    } finally {
      setBusy(null);
    }
  };

  // The server's sentence starts with who did it; their name goes in bold (as text, like the rest).
  const sentence = () => {
    const name = props.item.actor?.displayName;
    const text = props.item.text;
    return name && text.startsWith(name) ? { name, rest: text.slice(name.length) } : { name: '', rest: text };
  };

  // A mention opens its message in its conversation; anything else, the person who did it.
  const href = () => {
    const { message, actor } = props.item;
    if (message) return `/chat/${message.roomId}?message=${message.seq}`;
    return actor ? `/u/${encodeURIComponent(actor.username)}` : null;
  };

  const body = () => (
    <>
      <Show when={props.item.actor} fallback={<span class="avatar" aria-hidden="true" />}>
        {(actor) => <Avatar name={actor().displayName} username={actor().username} url={actor().avatarUrl} />}
      </Show>
      <span class="notification-text">
        <Show when={sentence().name}>
          <strong>{sentence().name}</strong>
        </Show>
        {sentence().rest}
      </span>
    </>
  );

  return (
    <li class="notification" classList={{ 'notification-unread': props.fresh }}>
      <Show when={href()} fallback={<div class="notification-link">{body()}</div>}>
        {(target) => (
          <A href={target()} class="notification-link" onClick={read}>
            {body()}
          </A>
        )}
      </Show>
      <div class="notification-meta">
        <RelativeTime iso={props.item.createdAt} class="notification-time" />
        <Show when={props.fresh}>
          <span class="sr-only">, new</span>
        </Show>
      </div>
      <Show when={askable()}>
        <div class="notification-actions">
          <button
            type="button"
            class="button button-primary button-small"
            disabled={busy() !== null}
            aria-busy={busy() === 'accept'}
            onClick={() => respond(true)}
          >
            Accept
          </button>
          <button
            type="button"
            class="button button-small"
            disabled={busy() !== null}
            aria-busy={busy() === 'decline'}
            onClick={() => respond(false)}
          >
            Decline
          </button>
        </div>
      </Show>
      <Show when={answer()}>
        <p class="notification-answer" role="status">
          <CheckIcon />
          {answer()}
        </p>
      </Show>
      <Show when={!answer() && outcome()}>
        <p class="notification-answer">{outcome()}</p>
      </Show>
      <Show when={nowFriends() && props.item.actor}>
        {(actor) => (
          <div class="notification-actions">
            <button
              type="button"
              class="button button-small"
              aria-label={`Message ${actor().displayName}`}
              onClick={() => void message()}
            >
              Message
            </button>
          </div>
        )}
      </Show>
    </li>
  );
}
