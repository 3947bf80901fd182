import { createMemo } from 'solid-js';
import { type MentionedPerson, renderMarkdown } from '../../lib/markdown.ts';

/**
 * A message body as formatted text. This is the one place the client sets `innerHTML`, and the exception is
 * safe: markdown-it runs with `html: false`, so every character the sender typed reaches the page escaped, and
 * the only tags are the ones markdown-it writes itself (paragraphs, emphasis, lists, code, quotes and links
 * whose addresses its validator has checked). Images are turned into links, never loaded.
 * tests/markdown.test.ts shows scripts, event-handler attributes, raw HTML and `javascript:` links come out inert.
 * The people a message mentions become links to them, by their current display name (`mention-me` for the reader).
 */
export function MarkdownBody(props: {
  text: string;
  mentions?: readonly MentionedPerson[] | undefined;
  meId?: number | null | undefined;
}) {
  const html = createMemo(() => {
    const people = new Map((props.mentions ?? []).map((person) => [person.username.toLowerCase(), person]));
    return renderMarkdown(props.text, people.size > 0 ? { people, meId: props.meId ?? null } : undefined);
  });
  return <div class="markdown" innerHTML={html()} />;
}
