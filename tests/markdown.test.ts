import { describe, expect, test } from 'vitest';
import { renderMarkdown } from '../src/client/lib/markdown.ts';

describe('message Markdown', () => {
  test('formats what people type', () => {
    expect(renderMarkdown('**bold** and `code`')).toBe(
      '<p><strong>bold</strong> and <code>code</code></p>\n',
    );
    expect(renderMarkdown('one\ntwo')).toContain('one<br>\ntwo');
  });

  test('a script tag comes out as text', () => {
    const html = renderMarkdown('<script>alert(1)</script>');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('raw HTML, attributes and all, is escaped', () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)"> <b onclick="x()">hi</b>\n\n<div>block</div>');
    expect(html).not.toMatch(/<(img|b|div)\b/);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
  });

  test('javascript: and data: links do not become links', () => {
    for (const source of [
      '[click](javascript:alert(1))',
      '[x](JAVASCRIPT:alert(1))',
      '[y](data:text/html,hi)',
    ]) {
      expect(renderMarkdown(source)).not.toContain('<a');
    }
    expect(renderMarkdown('<javascript:alert(1)>')).not.toContain('href');
  });

  test('links open in a new tab without a handle on this one', () => {
    expect(renderMarkdown('[docs](https://example.com/docs)')).toBe(
      '<p><a href="https://example.com/docs" target="_blank" rel="noopener noreferrer">docs</a></p>\n',
    );
    // linkify: a bare address becomes a link too.
    expect(renderMarkdown('see https://example.com')).toContain(
      '<a href="https://example.com" target="_blank" rel="noopener noreferrer">https://example.com</a>',
    );
  });

  test('images are never loaded: they become links named by their alt text', () => {
    const html = renderMarkdown('![a <b>cat</b>](https://example.com/cat.png "title")');
    expect(html).not.toContain('<img');
    expect(html).toContain(
      '<a class="md-image" href="https://example.com/cat.png" target="_blank" rel="noopener noreferrer">a &lt;b&gt;cat&lt;/b&gt;</a>',
    );
    // A data: image is not even a link; only its alt text remains.
    expect(renderMarkdown('![pixel](data:image/png;base64,iVBORw0KGgo=)')).toBe('<p>pixel</p>\n');
    expect(renderMarkdown('![x](https://e.com/" onerror="alert(1))')).not.toContain('" onerror');
  });
});
