import { A } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import { type createMessageSearch, hitHref, type MessageHit } from '../../lib/chat/message-search.ts';
import { createNow, exactTime, relativeTime } from '../../lib/time.ts';
import { Avatar } from '../Avatar.tsx';
import { HighlightedText } from './HighlightedText.tsx';

type Search = ReturnType<typeof createMessageSearch>;

function Hit(props: { hit: MessageHit; now: number }) {
  const sender = () => props.hit.message.sender;
  return (
    <li>
      <A class="search-hit" href={hitHref(props.hit)}>
        <Avatar name={sender().displayName} username={sender().username} url={sender().avatarUrl} />
        <span class="search-hit-content">
          <span class="search-hit-meta">
            <span class="search-hit-author">{sender().displayName}</span>
            <span class="search-hit-room">in {props.hit.room.name}</span>
            <time datetime={props.hit.message.createdAt} title={exactTime(props.hit.message.createdAt)}>
              {relativeTime(props.hit.message.createdAt, props.now)}
            </time>
          </span>
          <span class="search-hit-text">
            <HighlightedText snippet={props.hit.snippet} />
          </span>
        </span>
      </A>
    </li>
  );
}

/** A search's results, best first; each opens its conversation at that message. */
export function SearchResults(props: { search: Search; query: string }) {
  const now = createNow();
  const results = () => props.search.results;
  return (
    <Switch>
      <Match when={results().status === 'loading'}>
        <p class="muted" role="status">
          <span class="spinner" aria-hidden="true" /> Searching…
        </p>
      </Match>
      <Match when={results().status === 'error'}>
        <p class="search-problem" role="alert">
          {results().error ?? 'The search failed. Please try again.'}
        </p>
      </Match>
      <Match when={results().status === 'ready' && results().items.length === 0}>
        <p class="muted" role="status">
          No messages match “{props.query}”.
        </p>
      </Match>
      <Match when={results().status === 'ready'}>
        <p class="sr-only" role="status">
          {results().items.length}
          {results().nextCursor ? ' or more' : ''}{' '}
          {results().items.length === 1 && !results().nextCursor ? 'message' : 'messages'} found.
        </p>
        <ol class="search-hits" aria-label={`Messages matching ${props.query}`}>
          <For each={results().items}>{(hit) => <Hit hit={hit} now={now()} />}</For>
        </ol>
        <Show when={results().nextCursor}>
          <button
            type="button"
            class="button button-ghost search-more"
            disabled={results().loadingMore}
            onClick={() => props.search.more()}
          >
            {results().loadingMore ? 'Loading more…' : 'Show more results'}
          </button>
        </Show>
      </Match>
    </Switch>
  );
}
