import { For, Show } from 'solid-js';
import type { Snippet } from '../../../shared/search.ts';

interface Part {
  text: string;
  marked: boolean;
}

/** The snippet cut at its highlights: plain text parts, the matched ones to be marked. */
export function partsOf(snippet: Snippet): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const { start, end } of [...snippet.highlights].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    if (start > at) parts.push({ text: snippet.text.slice(at, start), marked: false });
    parts.push({ text: snippet.text.slice(start, end), marked: true });
    at = end;
  }
  if (at < snippet.text.length) parts.push({ text: snippet.text.slice(at), marked: false });
  return parts;
}

/** A search result's text with the matched words marked. Everything stays text: nothing here is parsed as HTML. */
export function HighlightedText(props: { snippet: Snippet }) {
  return (
    <>
      <Show when={props.snippet.cutBefore}>…</Show>
      <For each={partsOf(props.snippet)}>
        {(part) => (part.marked ? <mark>{part.text}</mark> : part.text)}
      </For>
      <Show when={props.snippet.cutAfter}>…</Show>
    </>
  );
}
