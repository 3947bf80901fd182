/**
 * Message bodies as plain words, parsed the way the web client renders them (markdown-it, HTML off), so that what
 * a mark does is taken away and nothing else: `a > b`, `snake_case` and `<b>` in a sentence stay as written.
 */
import MarkdownIt from 'markdown-it';

/**
 * How message bodies are parsed, here and where the web client renders them (src/client/lib/markdown.ts), so the
 * same words come out of the same source: `html: false` makes markdown-it escape every tag the sender typed.
 */
export const markdownOptions = { html: false, linkify: true, breaks: true, typographer: false } as const;

const parser = new MarkdownIt(markdownOptions);

type Token = ReturnType<typeof parser.parse>[number];

/** The words in some tokens: text and code as they are, an image by its alt text, breaks and blocks as spaces. */
function tokenText(tokens: readonly Token[]): string {
  return tokens
    .map((token) => {
      if (token.children) return tokenText(token.children);
      if (['text', 'code_inline', 'code_block', 'fence'].includes(token.type)) return token.content;
      return token.block || token.type.endsWith('break') ? ' ' : '';
    })
    .join('');
}

/**
 * A message as one line of plain text, for a preview (the sidebar, a reply's quote, a notification, an accessible
 * name): every mark (emphasis, code, links, headings, lists, quotes) goes and only the words stay. With
 * `maxLength`, cut at a word boundary and ended with "…".
 */
export function plainPreview(source: string, maxLength = Number.POSITIVE_INFINITY): string {
  const text = tokenText(parser.parse(source, {})).replace(/\s+/g, ' ').trim();
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxLength / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
