import { type Accessor, batch, createEffect, createSignal, on } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import type { Auth } from './auth.ts';
import { describeError, isServerError } from './errors.ts';
import type { RouterOutputs } from './trpc.ts';

type Admin = RouterOutputs['admin'];
export type AdminUser = Admin['users']['list']['items'][number];
export type Report = Admin['reports']['list']['items'][number];
export type AuditEntry = Admin['audit']['list']['items'][number];
export type Stats = Admin['stats'];

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** A ban without an end date is stored as lasting until the year 9999. */
export const isPermanent = (iso: string) => new Date(iso).getUTCFullYear() >= 9999;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "until 3 Mar 2030, 14:00", or "for good" for a ban without an end. */
export function untilText(iso: string): string {
  return isPermanent(iso) ? 'for good' : `until ${dateTime.format(new Date(iso))}`;
}

/** What a moderator did, in a few words for the audit log; the "whom" and "why" have columns of their own. */
export function auditAction(entry: Pick<AuditEntry, 'action' | 'details'>): string {
  const { details } = entry;
  const until = typeof details.until === 'string' ? ` ${untilText(details.until)}` : '';
  switch (entry.action) {
    case 'user.ban':
      return `Banned${until}`;
    case 'user.unban':
      return 'Lifted the ban';
    case 'user.mute':
      return `Muted${until}`;
    case 'user.unmute':
      return 'Lifted the mute';
    case 'user.role':
      return details.to === 'admin' ? 'Made an admin' : 'Removed as admin';
    case 'user.create-admin':
      return details.created ? 'Created as an admin' : 'Made an admin';
    case 'user.password-reset':
      return 'Sent a password-reset link';
    case 'message.delete':
      return 'Deleted a message';
    case 'report.resolve':
      return details.action === 'delete' ? 'Upheld a report (message deleted)' : 'Dismissed a report';
  }
}

/**
 * What a failed admin call says, in words for the page. A FORBIDDEN answer means this person is no longer an
 * admin (demoted in another tab, say): asking for `auth.me` again turns the page into the "Admins only" one.
 */
export function adminProblem(error: unknown, auth: Auth, fallback: string): string {
  if (isServerError(error, 'FORBIDDEN')) auth.retry();
  return describeError(error).message ?? fallback;
}

/** What a view of a paged list needs, whatever it holds. */
export interface PagedState {
  items: readonly unknown[];
  status(): 'loading' | 'ready' | 'error';
  problem(): string | null;
  loadingMore(): boolean;
  hasMore(): boolean;
  reload(): Promise<void>;
  loadMore(): Promise<void>;
}

/**
 * A list the server hands out in pages (`{ items, nextCursor }`), for the admin tables. It loads the first page
 * again whenever `filter` changes, and drops an answer that arrives after the filter moved on.
 */
export function createPagedList<Item extends { id: string | number }, Filter>(
  filter: Accessor<Filter>,
  fetchPage: (filter: Filter, cursor: string | null) => Promise<Page<Item>>,
  onError: (error: unknown) => string,
) {
  const [items, setItems] = createStore<Item[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [status, setStatus] = createSignal<'loading' | 'ready' | 'error'>('loading');
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  // Bumped by every first-page load; an answer for an older one is stale.
  let generation = 0;

  async function load(more: boolean) {
    const mine = more ? generation : ++generation;
    const current = filter();
    batch(() => {
      setProblem(null);
      // A first page replaces whatever "Load more" was still waiting for.
      setLoadingMore(more);
      if (!more) setStatus('loading');
    });
    try {
      const page = await fetchPage(current, more ? cursor() : null);
      if (mine !== generation) return;
      batch(() => {
        if (more) setItems(produce((list) => list.push(...page.items)));
        else setItems(reconcile(page.items, { key: 'id' }));
        setCursor(page.nextCursor);
        setStatus('ready');
      });
    } catch (error) {
      if (mine !== generation) return;
      batch(() => {
        setProblem(onError(error));
        if (!more) setStatus('error');
      });
    } finally {
      if (more && mine === generation) setLoadingMore(false);
    }
  }

  createEffect(on(filter, () => void load(false)));

  return {
    items,
    status,
    problem,
    loadingMore,
    hasMore: () => cursor() !== null,
    reload: () => load(false),
    loadMore: () => (loadingMore() ? Promise.resolve() : load(true)),
    /** Changes one item in place, after an action on it succeeded. */
    update(id: Item['id'], change: Partial<Item>) {
      const index = items.findIndex((item) => item.id === id);
      if (index >= 0) setItems(index, (item) => ({ ...item, ...change }));
    },
    /** Drops the items an action took out of this list (a report resolved with the others on its message). */
    removeWhere(test: (item: Item) => boolean) {
      setItems((list) => list.filter((item) => !test(item)));
    },
  };
}
