import { createMemo } from 'solid-js';
import { renderMarkdown } from '../../lib/markdown.ts';

/**
 * A message body as formatted text. This is the one place the client sets `innerHTML`, and the exception is
 * safe: markdown-it runs with `html: false`, so every character the sender typed reaches the page escaped, and
 * the only tags are the ones markdown-it writes itself (paragraphs, emphasis, lists, code, quotes and links
 * whose addresses its validator has checked). Images are turned into links, never loaded.
 * tests/markdown.test.ts shows scripts, event-handler attributes, raw HTML and `javascript:` links come out inert.
 */
export function MarkdownBody(props: { text: string }) {
  const html = createMemo(() => renderMarkdown(props.text));
  return <div class="markdown" innerHTML={html()} />;
}
