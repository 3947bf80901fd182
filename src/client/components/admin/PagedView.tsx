import { type JSX, Match, Show, Switch } from 'solid-js';
import type { PagedState } from '../../lib/admin.ts';

/**
 * The states every admin list goes through: loading, failed (with Try again), empty, shown; then "Load more"
 * while the server has further pages. A new filter keeps the old rows (dimmed) until the new ones arrive.
 */
export function PagedView(props: {
  list: PagedState;
  /** What the rows are, for "Loading users…" and "Load more users". */
  what: string;
  empty: string;
  children: JSX.Element;
}) {
  return (
    <>
      <Switch>
        <Match when={props.list.status() === 'error'}>
          <div class="alert alert-error admin-problem" role="alert">
            <span>{props.list.problem()}</span>
            <button type="button" class="button button-small" onClick={() => void props.list.reload()}>
              Try again
            </button>
          </div>
        </Match>
        <Match when={props.list.status() === 'loading' && props.list.items.length === 0}>
          <p class="admin-loading" role="status">
            <span class="spinner" aria-hidden="true" />
            Loading {props.what}…
          </p>
        </Match>
        <Match when={props.list.items.length === 0}>
          <p class="empty-line">{props.empty}</p>
        </Match>
        <Match when={true}>
          <div
            class="admin-results"
            classList={{ 'admin-results-stale': props.list.status() === 'loading' }}
            aria-busy={props.list.status() === 'loading'}
          >
            {props.children}
          </div>
        </Match>
      </Switch>
      <Show when={props.list.status() === 'ready' && props.list.problem()}>
        <p class="alert alert-error" role="alert">
          {props.list.problem()}
        </p>
      </Show>
      <Show when={props.list.status() === 'ready' && props.list.hasMore()}>
        <button
          type="button"
          class="button admin-more"
          disabled={props.list.loadingMore()}
          aria-busy={props.list.loadingMore()}
          onClick={() => void props.list.loadMore()}
        >
          <Show when={props.list.loadingMore()}>
            <span class="spinner" aria-hidden="true" />
          </Show>
          Load more {props.what}
        </button>
      </Show>
    </>
  );
}

/**
 * A wide table's frame: it scrolls sideways on a phone, and takes keyboard focus so it can be scrolled without a
 * mouse; it is named after the table's caption.
 */
export function TableScroll(props: { labelledBy: string; children: JSX.Element }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to scroll by keyboard.
    <section class="table-scroll" aria-labelledby={props.labelledBy} tabIndex={0}>
      {props.children}
    </section>
  );
}
