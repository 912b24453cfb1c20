import { describe, expect, it } from 'vitest';
import {
  MAX_INLINE_MARKDOWN,
  parseMarkdown,
  parseInline,
  safeHref,
  toPlainText,
  type Block,
  type Inline,
} from './markdown';

function links(blocks: Block[]): string[] {
  const out: string[] = [];
  const walk = (c: Inline[]) =>
    c.forEach((n) => {
      if (n.t === 'link') out.push(n.href);
      if ('c' in n) walk(n.c);
    });
  blocks.forEach((b) =>
    b.t === 'ul' ? b.items.forEach(walk) : b.t === 'pre' ? undefined : walk(b.c),
  );
  return out;
}

describe('markdown subset', () => {
  it('parses emphasis, code and links', () => {
    expect(parseInline('**bold** and *em* `x<y>` ~~gone~~')).toEqual([
      { t: 'strong', c: [{ t: 'text', v: 'bold' }] },
      { t: 'text', v: ' and ' },
      { t: 'em', c: [{ t: 'text', v: 'em' }] },
      { t: 'text', v: ' ' },
      { t: 'code', v: 'x<y>' },
      { t: 'text', v: ' ' },
      { t: 'del', c: [{ t: 'text', v: 'gone' }] },
    ]);
    expect(
      links(parseMarkdown('see [docs](https://example.com/a?b=1) or https://x.org/p.')),
    ).toEqual(['https://example.com/a?b=1', 'https://x.org/p']);
  });

  it('leaves * and _ inside words as typed (arithmetic, dunder names, script text)', () => {
    for (const text of [
      '2*3*4',
      '__init__.py',
      'snake_case_name',
      'window.__pwned=1;window.__x=2',
      '<script>window.__xss=1</script>',
      'a*b and c*d',
    ])
      expect(parseInline(text)).toEqual([{ t: 'text', v: text }]);
    expect(parseInline('(_note_), *yes*!')).toEqual([
      { t: 'text', v: '(' },
      { t: 'em', c: [{ t: 'text', v: 'note' }] },
      { t: 'text', v: '), ' },
      { t: 'em', c: [{ t: 'text', v: 'yes' }] },
      { t: 'text', v: '!' },
    ]);
  });

  it('gives previews without bidi overrides (a file or text cannot pose as another)', () => {
    expect(toPlainText('invoice\u202efdp.exe')).toBe('invoicefdp.exe');
    expect(toPlainText('\u2067abc\u2069 ok')).toBe('abc ok');
  });

  it('parses blocks', () => {
    expect(parseMarkdown('```\n<b>x</b>\n```\n> quoted\n- one\n- two').map((b) => b.t)).toEqual([
      'pre',
      'quote',
      'ul',
    ]);
  });

  it('takes bullets indented by up to three spaces as a list (MusicBot lists its tracks so)', () => {
    const blocks = parseMarkdown('Available tracks:\n  - C4\n  - A4\n\nUse /play');
    expect(blocks.map((b) => b.t)).toEqual(['p', 'ul', 'p']);
    const list = blocks[1];
    expect(list?.t === 'ul' && list.items.map((item) => item.map((x) => x.t))).toEqual([
      ['text'],
      ['text'],
    ]);
    expect(toPlainText('  - C4')).toBe('C4');
    // Four spaces is no bullet (an indented line of text).
    expect(parseMarkdown('    - not a bullet').map((b) => b.t)).toEqual(['p']);
  });

  it.each([
    '[click](javascript:alert(1))',
    '[click](JAVASCRIPT:alert(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](vbscript:msgbox)',
    '<img src=x onerror=alert(1)>',
    '<script>alert(1)</script>',
    '[x](//evil.example)',
  ])('keeps XSS payload %j inert', (payload) => {
    const blocks = parseMarkdown(payload);
    expect(links(blocks)).toEqual([]);
    // The whole payload survives as plain text: the renderer shows it, never runs it.
    expect(toPlainText(payload)).toContain(payload.replace(/\*\*/g, '').slice(0, 5));
  });

  it.each([
    ['[', 16 * 1024 - 1],
    ['*', 16 * 1024 - 1],
    ['**a', 5000],
    ['_a', 8000],
    ['~~a', 5000],
    ['`a', 8000],
    ['[a](', 4000],
    ['http://', 2300],
    ['[', 64 * 1024],
    ['http://', 9000],
  ])('shows a hostile run of %j (x%i) as its text, without freezing the page', (unit, n) => {
    // Unbounded patterns scanned to the end of the text from every position (quadratic: seconds
    // per message at these sizes, past the test's time limit).
    const text = unit.repeat(n);
    const plain = toPlainText(text);
    expect(plain.length).toBeGreaterThan(n / 10);
    expect([...new Set(plain)].filter((c) => !unit.includes(c))).toEqual([]);
  });

  it('formats inline Markdown only up to MAX_INLINE_MARKDOWN characters', () => {
    expect(parseMarkdown('**bold**')[0]).toEqual({
      t: 'p',
      c: [{ t: 'strong', c: [{ t: 'text', v: 'bold' }] }],
    });
    const long = `**bold** ${'x'.repeat(MAX_INLINE_MARKDOWN)}`;
    expect(parseMarkdown(long)[0]).toEqual({ t: 'p', c: [{ t: 'text', v: long }] });
  });

  it.each([
    ['a\n', 8000],
    ['- a\n', 4000],
    ['> a\n', 4000],
    ['`a` ', 4000],
    ['**a** ', 2500],
    ['[a](http://x) ', 1100],
  ])('shows %j (x%i) as one plain text instead of thousands of elements', (unit, n) => {
    const text = unit.repeat(n);
    expect(parseMarkdown(text)).toEqual([{ t: 'p', c: [{ t: 'text', v: text }] }]);
  });

  it('keeps the formatting of ordinary long messages', () => {
    const list = Array.from({ length: 40 }, (_, i) => `- track ${i} **new**`).join('\n');
    expect(parseMarkdown(list)[0]?.t).toBe('ul');
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    expect(parseMarkdown(lines)[0]?.t).toBe('p');
    expect((parseMarkdown(lines)[0] as { c: unknown[] }).c.length).toBe(399);
  });

  it('only allows http(s) and mailto links', () => {
    expect(safeHref('https://a.b/')).toBe('https://a.b/');
    expect(safeHref('mailto:x@y.z')).toBe('mailto:x@y.z');
    expect(safeHref(' javascript:alert(1)')).toBeNull();
    expect(safeHref('file:///etc/passwd')).toBeNull();
  });
});
