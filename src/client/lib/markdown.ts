/**
 * Message bodies as Markdown, rendered the safe way: `html: false` makes markdown-it escape every tag the sender
 * typed, so the output holds only the few tags markdown-it writes itself, and its link validator already drops
 * `javascript:`, `vbscript:`, `file:` and `data:` links.
 * @see https://github.com/markdown-it/markdown-it/blob/master/docs/security.md
 */
import MarkdownIt from 'markdown-it';
import { markdownOptions } from '../../shared/plain-text.ts';

const md = new MarkdownIt(markdownOptions);
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

/** Whom a body's `@username`s name (by lower-case username), and who reads it: what rendering mentions needs. */
export interface MentionContext {
  people: ReadonlyMap<string, MentionedPerson>;
  meId: number | null;
}

export interface MentionedPerson {
  id: number;
  username: string;
  displayName: string;
}

// `@username` of someone the server says the message mentions: a link to them by their current display name. The
// text rule stops at `@`, so this sees every one; a name not mentioned (nobody, or no longer readable) stays text.
md.inline.ruler.before('emphasis', 'mention', (state, silent) => {
  const context = (state.env as { mentions?: MentionContext }).mentions;
  if (!context || state.src.charCodeAt(state.pos) !== 0x40) return false;
  if (/[A-Za-z0-9_.@-]/.test(state.src.charAt(state.pos - 1))) return false;
  const name = /^@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?)/.exec(state.src.slice(state.pos));
  const person = name?.[1] && context.people.get(name[1].toLowerCase());
  if (!name || !person) return false;
  if (!silent) {
    const token = state.push('mention', '', 0);
    token.meta = { person, me: person.id === context.meId };
  }
  state.pos += name[0].length;
  return true;
});

md.renderer.rules.mention = (tokens, index) => {
  const { person, me } = tokens[index]!.meta as { person: MentionedPerson; me: boolean };
  const href = `/u/${encodeURIComponent(person.username)}`;
  const title = escapeHtml(`@${person.username}`);
  return `<a class="mention${me ? ' mention-me' : ''}" href="${href}" title="${title}" data-user-id="${person.id}">@${escapeHtml(person.displayName)}</a>`;
};

/** The HTML for a message body. Only ever markdown-it's own tags: see MarkdownBody for where it is inserted. */
export function renderMarkdown(source: string, mentions?: MentionContext): string {
  return md.render(source, mentions ? { mentions } : {});
}
