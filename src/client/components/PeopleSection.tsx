import { For, type JSX, Match, Show, Switch } from 'solid-js';
import { describeError } from '../lib/errors.ts';
import { FormAlert } from './Alert.tsx';

export interface PeopleSectionProps<T> {
  id: string;
  title: string;
  /** `undefined` while loading. */
  items: readonly T[] | undefined;
  error?: unknown;
  /** What to say when the list is empty. */
  empty: string;
  description?: string;
  children: (item: T) => JSX.Element;
}

/** A panel with a titled, counted list of people (friends, requests, blocked), or a line saying there is none. */
export function PeopleSection<T>(props: PeopleSectionProps<T>) {
  const headingId = () => `${props.id}-heading`;
  return (
    <section class="panel people-section" aria-labelledby={headingId()}>
      <h2 id={headingId()} class="panel-title">
        {props.title}
        <Show when={props.items?.length}>{(count) => <span class="count-pill">{count()}</span>}</Show>
      </h2>
      <Show when={props.description}>
        <p class="panel-text">{props.description}</p>
      </Show>
      <Switch>
        <Match when={props.error}>
          <FormAlert message={describeError(props.error).message ?? 'Could not load this list.'} />
        </Match>
        <Match when={props.items === undefined}>
          <p class="muted">Loading…</p>
        </Match>
        <Match when={props.items?.length === 0}>
          <p class="empty-line">{props.empty}</p>
        </Match>
        <Match when={props.items}>
          {(items) => (
            <ul class="people" aria-labelledby={headingId()}>
              <For each={items()}>{(item) => props.children(item)}</For>
            </ul>
          )}
        </Match>
      </Switch>
    </section>
  );
}
