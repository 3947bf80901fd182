import { useSearchParams } from '@solidjs/router';
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { maxSearchLength, messageSearchInput } from '../../shared/search.ts';
import { SearchIcon } from '../components/Icons.tsx';
import { SearchResults } from '../components/search/SearchResults.tsx';
import { createMessageSearch } from '../lib/chat/message-search.ts';
import { useChat } from '../lib/chat/session.ts';
import { usePageTitle } from '../lib/title.ts';

/**
 * `/search?q=…&room=…`: full-text search over the reader's conversations. The address holds the search, so Back
 * returns to the results after opening one, and a search can be shared as a link.
 */
export function SearchPage() {
  const chat = useChat();
  const [params, setParams] = useSearchParams<{ q?: string; room?: string }>();
  const query = () => params.q?.trim() ?? '';
  const roomId = () => (/^\d{1,9}$/.test(params.room ?? '') ? Number(params.room) : null);
  const search = createMessageSearch(query, roomId);
  const [error, setError] = createSignal<string | null>(null);
  const ids = { query: `search-${createUniqueId()}`, room: `room-${createUniqueId()}` };
  usePageTitle(() => (query() ? `Search: ${query()}` : 'Search messages'));

  const onSubmit = (event: SubmitEvent & { currentTarget: HTMLFormElement }) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const parsed = messageSearchInput.shape.query.safeParse(String(data.get('q') ?? ''));
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Check the search text.');
      document.getElementById(ids.query)?.focus();
      return;
    }
    setError(null);
    const room = String(data.get('room') ?? '');
    setParams({ q: parsed.data, room: room || undefined });
  };

  return (
    <div class="page search-page">
      <h1 class="page-title">Search messages</h1>
      <form class="search-form" onSubmit={onSubmit} novalidate>
        <div class="field search-field" classList={{ 'field-invalid': Boolean(error()) }}>
          <label class="field-label" for={ids.query}>
            Words to find
          </label>
          <input
            id={ids.query}
            class="input"
            type="search"
            name="q"
            value={params.q ?? ''}
            maxLength={maxSearchLength}
            autocomplete="off"
            aria-invalid={Boolean(error())}
            aria-describedby={error() ? `${ids.query}-error` : undefined}
            ref={(input) => !params.q && queueMicrotask(() => input.focus())}
          />
          <Show when={error()}>
            <p id={`${ids.query}-error`} class="field-error">
              {error()}
            </p>
          </Show>
        </div>
        <div class="field search-room">
          <label class="field-label" for={ids.room}>
            In
          </label>
          <select id={ids.room} class="input" name="room">
            <option value="" selected={roomId() === null}>
              All conversations
            </option>
            <For each={chat()?.rooms() ?? []}>
              {(room) => (
                <option value={room.id} selected={room.id === roomId()}>
                  {room.name}
                </option>
              )}
            </For>
          </select>
        </div>
        <button type="submit" class="button button-primary search-submit">
          <SearchIcon />
          Search
        </button>
      </form>
      <Show
        when={query()}
        fallback={
          <p class="muted">
            Find messages in the public room and your conversations. Every word must appear; the last one may
            be the start of a longer word.
          </p>
        }
      >
        <SearchResults search={search} query={query()} />
      </Show>
    </div>
  );
}
