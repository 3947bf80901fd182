import { describe, expect, test } from 'vitest';
import { plainPreview } from '../src/shared/plain-text.ts';

describe('message previews as plain text', () => {
  test('inline marks go and their words stay', () => {
    expect(plainPreview('**bold**, _italic_, *x*, ~~gone~~ and `code`')).toBe(
      'bold, italic, x, gone and code',
    );
    expect(plainPreview('see [the docs](https://example.com/docs) or https://example.com')).toBe(
      'see the docs or https://example.com',
    );
    expect(plainPreview('a picture: ![a moth](https://example.com/moth.png)')).toBe('a picture: a moth');
    expect(plainPreview('not \\*emphasis\\*, 2 * 3 * 4')).toBe('not *emphasis*, 2 * 3 * 4');
  });

  test('blocks become one line: headings, lists, quotes, code', () => {
    expect(plainPreview('# Release notes\n\n- faster\n- _smaller_\n\n1. one\n2. two')).toBe(
      'Release notes faster smaller one two',
    );
    expect(plainPreview('> quoted\nline two\n\n```ts\nconst x = 1;\n```')).toBe(
      'quoted line two const x = 1;',
    );
    expect(plainPreview('  many   spaces\n\n\nand lines  ')).toBe('many spaces and lines');
  });

  test('what looks like HTML stays as the text it is', () => {
    expect(plainPreview('<b>hi</b> & <script>x</script>')).toBe('<b>hi</b> & <script>x</script>');
  });

  test('a long message is cut at a word, with an ellipsis', () => {
    expect(plainPreview('Hello Grace! Did you find the **bug**?', 24)).toBe('Hello Grace! Did you…');
    expect(plainPreview('short', 24)).toBe('short');
    expect(plainPreview('x'.repeat(30), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
