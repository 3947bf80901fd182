import { useLocation } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, Match, on, onCleanup, Show, Switch } from 'solid-js';
import { dismissOnOutside } from '../lib/dismiss.ts';
import { describeError } from '../lib/errors.ts';
import { useNotifications } from '../lib/notifications.ts';
import { FormAlert } from './Alert.tsx';
import { BellIcon } from './Icons.tsx';
import { NotificationItem } from './NotificationItem.tsx';

/** How long the panel shows which notifications are new before it marks them read. */
const readAfterMs = 1_000;

/**
 * The bell in the header: the unread count, live, and a panel with the notifications themselves. As in Slack or
 * Discord, opening the panel reads what it shows: after a moment, and the new ones keep their highlight until it
 * closes, so the reader can still tell them apart.
 */
export function NotificationBell() {
  const notifications = useNotifications();
  const [open, setOpen] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [announcement, setAnnouncement] = createSignal('');
  let root: HTMLDivElement | undefined;
  let bell: HTMLButtonElement | undefined;

  const label = () => {
    const count = notifications.unread();
    return count ? `Notifications, ${count} unread` : 'Notifications';
  };
  const badge = () => (notifications.unread() > 99 ? '99+' : String(notifications.unread()));

  const close = () => setOpen(false);
  const onFocusOut = dismissOnOutside(
    () => root,
    close,
    () => {
      if (!open()) return;
      close();
      bell?.focus();
    },
  );
  const location = useLocation();
  createEffect(on(() => location.pathname, close, { defer: true }));
  /** Notifications that were unread at some point while the panel is open: highlighted as new until it closes. */
  const [fresh, setFresh] = createSignal<ReadonlySet<string>>(new Set());
  createEffect(on(open, (isOpen) => (isOpen ? notifications.load() : setFresh(new Set<string>()))));
  // Screen readers hear a new notification as it arrives; sighted people see the badge change.
  notifications.listen((event) => {
    if (event.type === 'notification') setAnnouncement(event.notification.text);
  });

  const attempt = async (work: () => Promise<void>) => {
    setError(null);
    try {
      await work();
    } catch (cause) {
      setError(describeError(cause).message ?? 'That did not work. Please try again.');
    }
  };

  // Ids of what the open panel shows unread, as one string: the timer starts over only when that set changes.
  const shownUnread = createMemo(() =>
    open() && notifications.status() === 'ready'
      ? notifications.items
          .filter((item) => item.readAt === null)
          .map((item) => item.id)
          .join(' ')
      : '',
  );
  createEffect(
    on(shownUnread, (shown) => {
      if (!shown) return;
      const ids = shown.split(' ');
      setFresh((seen) => new Set([...seen, ...ids]));
      const timer = setTimeout(() => attempt(() => notifications.markRead(ids)), readAfterMs);
      onCleanup(() => clearTimeout(timer));
    }),
  );

  return (
    <div class="bell" ref={root} onFocusOut={onFocusOut}>
      <button
        ref={bell}
        type="button"
        class="icon-button bell-button"
        classList={{ 'icon-button-active': open() }}
        aria-label={label()}
        aria-expanded={open()}
        aria-controls="notifications-panel"
        onClick={() => setOpen((now) => !now)}
      >
        <BellIcon />
        <Show when={notifications.unread() > 0}>
          <span class="badge bell-badge" aria-hidden="true">
            {badge()}
          </span>
        </Show>
      </button>
      <p class="sr-only" role="status">
        {announcement()}
      </p>
      <section
        id="notifications-panel"
        class="popover bell-panel"
        aria-labelledby="notifications-title"
        hidden={!open()}
      >
        <header class="popover-header">
          <h2 id="notifications-title" class="popover-title">
            Notifications
          </h2>
          <button
            type="button"
            class="button button-ghost button-small"
            disabled={notifications.unread() === 0}
            onClick={() => attempt(notifications.markAllRead)}
          >
            Mark all read
          </button>
        </header>
        <FormAlert message={error()} />
        <Switch>
          <Match when={notifications.status() === 'loading' || notifications.status() === 'idle'}>
            <p class="popover-status">Loading…</p>
          </Match>
          <Match when={notifications.status() === 'error'}>
            <div class="popover-status">
              <FormAlert message={notifications.error()} />
              <button type="button" class="button button-small" onClick={() => notifications.load()}>
                Try again
              </button>
            </div>
          </Match>
          <Match when={notifications.items.length === 0}>
            <p class="popover-status popover-empty">You are all caught up.</p>
          </Match>
          <Match when={notifications.items.length > 0}>
            <ul class="notifications" aria-label="Notifications">
              <For each={notifications.items}>
                {(item) => (
                  <NotificationItem
                    item={item}
                    fresh={item.readAt === null || fresh().has(item.id)}
                    onError={setError}
                  />
                )}
              </For>
            </ul>
            <Show when={notifications.hasMore()}>
              <button
                type="button"
                class="button button-ghost popover-more"
                onClick={() => attempt(notifications.loadMore)}
              >
                Load more
              </button>
            </Show>
          </Match>
        </Switch>
      </section>
    </div>
  );
}
