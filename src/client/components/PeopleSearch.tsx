import { A, useLocation } from '@solidjs/router';
import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { dismissOnOutside, moveFocus } from '../lib/dismiss.ts';
import { describeError } from '../lib/errors.ts';
import { useFriends } from '../lib/friends.ts';
import { type RouterOutputs, trpc } from '../lib/trpc.ts';
import { SearchIcon } from './Icons.tsx';
import { PersonActions, relationLabels } from './PersonActions.tsx';
import { PersonRow } from './PersonRow.tsx';

type Hit = RouterOutputs['users']['search']['items'][number];

const pageSize = 10;
const debounceMs = 250;

/** The header's people search: results as you type, each with the button that fits how you relate. */
export function PeopleSearch() {
  const friends = useFriends();
  const [text, setText] = createSignal('');
  const [query, setQuery] = createSignal('');
  const [open, setOpen] = createSignal(false);
  const [results, setResults] = createStore({
    items: [] as Hit[],
    nextCursor: null as string | null,
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'error',
    error: null as string | null,
  });
  let root: HTMLElement | undefined;
  let input: HTMLInputElement | undefined;
  let panel: HTMLDivElement | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Each search gets a number, so an answer that arrives after a newer search started is dropped.
  let latest = 0;
  onCleanup(() => clearTimeout(timer));

  const search = async (q: string, cursor: string | null, limit = pageSize) => {
    const id = ++latest;
    if (!cursor) setResults({ status: results.status === 'ready' ? 'ready' : 'loading', error: null });
    try {
      const page = await trpc.users.search.query({ query: q, cursor, limit });
      if (id !== latest) return;
      const items = cursor ? [...results.items, ...page.items] : page.items;
      setResults({ items, nextCursor: page.nextCursor, status: 'ready', error: null });
    } catch (error) {
      if (id === latest) setResults({ status: 'error', error: describeError(error).message });
    }
  };

  // A new query starts over; a change to friends refreshes the results already shown (their relations moved).
  createEffect(
    on(query, (q) => {
      if (q) void search(q, null);
      else setResults({ items: [], nextCursor: null, status: 'idle', error: null });
    }),
  );
  createEffect(
    on(
      friends.changes,
      () => query() && search(query(), null, Math.min(50, Math.max(pageSize, results.items.length))),
      { defer: true },
    ),
  );

  const close = () => setOpen(false);
  const onFocusOut = dismissOnOutside(
    () => root,
    close,
    (event) => {
      if (!open()) return;
      event.preventDefault(); // keeps the text: a search field clears itself on Escape
      close();
      input?.focus();
    },
  );
  // Opening a profile or a conversation from the results leaves the search behind, emptied: the page it opens
  // takes the focus (see ProfilePage). A results panel still open means that is where the way out was.
  const location = useLocation();
  const clear = () => {
    clearTimeout(timer);
    setText('');
    setQuery('');
  };
  createEffect(
    on(
      () => location.pathname,
      () => {
        if (open()) clear();
        close();
      },
      { defer: true },
    ),
  );

  const onInput = (value: string) => {
    setText(value);
    setOpen(true);
    clearTimeout(timer);
    timer = setTimeout(() => setQuery(value.trim()), debounceMs);
  };

  const links = () => Array.from(panel?.querySelectorAll<HTMLElement>('.person-link') ?? []);
  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && open()) {
      event.preventDefault();
      moveFocus(links(), event.key === 'ArrowDown' ? 1 : -1);
    }
  };

  const status = () => {
    if (results.status === 'loading') return 'Searching…';
    if (results.status === 'error') return results.error ?? 'Search failed.';
    if (results.status === 'ready' && results.items.length === 0) return `No one matches “${query()}”.`;
    if (results.status === 'ready') return `${results.items.length}${results.nextCursor ? '+' : ''} found`;
    return '';
  };

  return (
    <search class="search" ref={root} onFocusOut={onFocusOut} onKeyDown={onKeyDown}>
      <label for="people-search" class="sr-only">
        Search people
      </label>
      <SearchIcon />
      <input
        id="people-search"
        ref={input}
        class="input search-input"
        type="search"
        placeholder="Search people"
        autocomplete="off"
        spellcheck={false}
        maxLength={60}
        value={text()}
        aria-controls="people-search-results"
        aria-describedby="people-search-status"
        onInput={(event) => onInput(event.currentTarget.value)}
        onFocus={() => text().trim() && setOpen(true)}
      />
      <div
        id="people-search-results"
        ref={panel}
        class="popover search-panel"
        hidden={!open() || query() === ''}
      >
        <p id="people-search-status" class="popover-status" role="status">
          {open() ? status() : ''}
        </p>
        <Show when={results.items.length > 0}>
          <ul class="people" aria-label="People found">
            <For each={results.items}>
              {(hit, index) => (
                <PersonRow user={hit} detail={relationLabels[hit.relation] || undefined}>
                  <PersonActions
                    user={hit}
                    relation={hit.relation}
                    onChange={(relation) => setResults('items', index(), 'relation', relation)}
                  />
                </PersonRow>
              )}
            </For>
          </ul>
        </Show>
        <Show when={query()}>
          {(words) => (
            <A class="popover-more search-messages-link" href={`/search?q=${encodeURIComponent(words())}`}>
              Search messages for “{words()}”
            </A>
          )}
        </Show>
        <Show when={results.nextCursor}>
          {(cursor) => (
            <button
              type="button"
              class="button button-ghost popover-more"
              onClick={() => search(query(), cursor())}
            >
              Load more
            </button>
          )}
        </Show>
      </div>
    </search>
  );
}
