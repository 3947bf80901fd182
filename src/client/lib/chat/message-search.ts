import { type Accessor, createEffect, on } from 'solid-js';
import { createStore } from 'solid-js/store';
import { describeError } from '../errors.ts';
import { type RouterOutputs, trpc } from '../trpc.ts';

export type MessageHit = RouterOutputs['search']['messages']['items'][number];

const pageSize = 20;

/**
 * The results of a message search, following the query and room it is given (the page's address): a new search
 * starts over; `more()` adds the next page. An answer to a search no longer asked for is dropped.
 */
export function createMessageSearch(query: Accessor<string>, roomId: Accessor<number | null>) {
  const [results, setResults] = createStore({
    items: [] as MessageHit[],
    nextCursor: null as string | null,
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    loadingMore: false,
    error: null as string | null,
  });
  let latest = 0;

  const load = async (cursor: string | null) => {
    const id = ++latest;
    setResults(cursor ? { loadingMore: true } : { status: 'loading', items: [], error: null });
    try {
      const page = await trpc.search.messages.query({
        query: query(),
        roomId: roomId(),
        cursor,
        limit: pageSize,
      });
      if (id !== latest) return;
      setResults({
        items: cursor ? [...results.items, ...page.items] : page.items,
        nextCursor: page.nextCursor,
        status: 'ready',
        loadingMore: false,
      });
    } catch (error) {
      if (id === latest)
        setResults({ status: 'error', loadingMore: false, error: describeError(error).message });
    }
  };

  createEffect(
    on([query, roomId], ([q]) => {
      if (q) void load(null);
      else setResults({ items: [], nextCursor: null, status: 'idle', error: null });
    }),
  );

  return {
    results,
    more: () => results.nextCursor && !results.loadingMore && void load(results.nextCursor),
  };
}

/** Where a hit leads: its conversation, opened at that message. */
export const hitHref = (hit: MessageHit) => `/chat/${hit.message.roomId}?message=${hit.message.seq}`;
