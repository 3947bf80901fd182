/** How `@names` read: the same names on both sides (server resolving, client rendering and completing). */
import { describe, expect, test } from 'vitest';
import { insertMention, mentionAt } from '../src/client/lib/chat/mention-query.ts';
import { renderMarkdown } from '../src/client/lib/markdown.ts';
import { mentionedNames, withDisplayNames } from '../src/shared/mentions.ts';

const grace = { id: 7, username: 'grace_h', displayName: 'Grace <b>Hopper</b>' };
const people = new Map([['grace_h', grace]]);

describe('the names a message mentions', () => {
  test('distinct, lower-case, in order; not an email, a trailing full stop, or @everyone', () => {
    expect(mentionedNames('@Grace_H and @ada. @grace_h, mail ann@example.com, @everyone @here @x')).toEqual([
      'grace_h',
      'ada',
    ]);
  });

  test('a name inside code mentions nobody, as the timeline shows it as code: spans, fences, unclosed fences', () => {
    const body = [
      'ping @ada: run `notify @bob` or ``say `@cat` twice``',
      '```sh',
      'echo @dan',
      '```',
      'and @eve after the fence',
      '~~~',
      '@fay in a fence never closed',
    ].join('\n');
    expect(mentionedNames(body)).toEqual(['ada', 'eve']);
    // And the timeline agrees: no mention link inside code.
    const everyone = new Map(
      ['ada', 'bob', 'cat', 'dan', 'eve', 'fay'].map((name, i) => [
        name,
        { id: i + 1, username: name, displayName: name },
      ]),
    );
    const html = renderMarkdown(body, { people: everyone, meId: null });
    expect([...html.matchAll(/data-user-id="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([1, 5]);
  });
});

describe('a mention in plain text (previews, notifications)', () => {
  test('reads as the display name; a name nobody was mentioned by stays as typed', () => {
    expect(withDisplayNames('thanks @Grace_H and @bob', [grace])).toBe(
      'thanks @Grace <b>Hopper</b> and @bob',
    );
  });
});

describe('a mention on screen', () => {
  test('links to the person by their current display name, escaped, and marks the reader', () => {
    const html = renderMarkdown('thanks @grace_h!', { people, meId: 7 });
    expect(html).toBe(
      '<p>thanks <a class="mention mention-me" href="/u/grace_h" title="@grace_h" data-user-id="7">@Grace &lt;b&gt;Hopper&lt;/b&gt;</a>!</p>\n',
    );
  });

  test('a name the server did not resolve, or one inside an address, stays text', () => {
    expect(renderMarkdown('hi @someone and grace@grace_h.com', { people, meId: null })).toBe(
      '<p>hi @someone and grace@grace_h.com</p>\n',
    );
  });
});

describe('completing a name in the composer', () => {
  test('finds the @name being typed at the caret, and puts the chosen username in its place', () => {
    expect(mentionAt('hello @gr', 9)).toEqual({ start: 6, query: 'gr' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('ann@ex', 6)).toBeNull();
    expect(mentionAt('hello @gr there', 15)).toBeNull();
    expect(insertMention('hello @gr there', 6, 9, 'grace_h')).toEqual({
      text: 'hello @grace_h there',
      caret: 15,
    });
  });
});
