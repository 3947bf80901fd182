/**
 * Message bodies as Markdown, rendered the safe way: `html: false` makes markdown-it escape every tag the sender
 * typed, so the output holds only the few tags markdown-it writes itself, and its link validator already drops
 * `javascript:`, `vbscript:`, `file:` and `data:` links.
 * @see https://github.com/markdown-it/markdown-it/blob/master/docs/security.md
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
const { escapeHtml } = md.utils;

// Links open in a new tab and give the page they open no handle on this one, nor the address it came from.
md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  const token = tokens[index]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return self.renderToken(tokens, index, options);
};

// An image is never loaded by itself: fetching it would tell its host who reads the room, and when. It becomes a
// link named by its alt text, so the reader decides whether to open it.
md.renderer.rules.image = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  // renderInlineAsText gives the alt text raw, not escaped: escape it here.
  const alt = escapeHtml(self.renderInlineAsText(token.children ?? [], options, env).trim() || 'image');
  const src = String(token.attrGet('src') ?? '');
  if (!/^https?:\/\//i.test(src)) return alt;
  return `<a class="md-image" href="${escapeHtml(src)}" target="_blank" rel="noopener noreferrer">${alt}</a>`;
};

/** The HTML for a message body. Only ever markdown-it's own tags: see MarkdownBody for where it is inserted. */
export function renderMarkdown(source: string): string {
  return md.render(source);
}

type Token = ReturnType<typeof md.parse>[number];

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
 * A message as one line of plain text, for a preview (the sidebar, an accessible name): parsed the way it is
 * rendered, so every mark (emphasis, code, links, headings, lists, quotes) goes and only the words stay. With
 * `maxLength`, cut at a word boundary and ended with "…".
 */
export function plainPreview(source: string, maxLength = Number.POSITIVE_INFINITY): string {
  const text = tokenText(md.parse(source, {})).replace(/\s+/g, ' ').trim();
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxLength / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
