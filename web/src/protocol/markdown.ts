/**
 * A safe Markdown subset for peer text. The parser produces a small tree of known node kinds;
 * the renderer turns it into React elements, so peer text is never interpreted as HTML and a
 * link exists only when its URL is http(s) or mailto.
 */
export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong' | 'em' | 'del'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'br' };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'pre'; v: string }
  | { t: 'quote'; c: Inline[] }
  | { t: 'ul'; items: Inline[][] };

export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw.trim());
    if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:') {
      return url.href;
    }
  } catch {
    /* not a URL */
  }
  return null;
}

/** A bullet item: `- ` or `* ` indented by up to three spaces, as CommonMark allows. */
const LIST_ITEM = /^ {0,3}[-*] /;

/**
 * More rendered parts than this (blocks, list items, inline nodes) and a message is shown as its
 * plain text: 64 Ki characters of `- a` lines or `` `a` `` spans made 20 000 elements per message,
 * and sixty such messages 640 000 elements, 660 MB and seconds-long stalls.
 */
export const MAX_MARKDOWN_NODES = 1000;

export function parseMarkdown(src: string): Block[] {
  const plain: Block[] = [{ t: 'p', c: [{ t: 'text', v: src }] }];
  if (src.length > MAX_INLINE_MARKDOWN) return plain;
  const blocks = parseBlocks(src);
  return countNodes(blocks) > MAX_MARKDOWN_NODES ? plain : blocks;
}

/** Parts of a parsed message, counted no further than just past MAX_MARKDOWN_NODES. */
function countNodes(blocks: Block[]): number {
  let n = 0;
  const inline = (c: Inline[]) => {
    for (const node of c) {
      if (++n > MAX_MARKDOWN_NODES) return;
      if ('c' in node) inline(node.c);
    }
  };
  for (const b of blocks) {
    if (++n > MAX_MARKDOWN_NODES) break;
    if (b.t === 'ul') for (const it of b.items) if (++n <= MAX_MARKDOWN_NODES) inline(it);
    if (b.t === 'p' || b.t === 'quote') inline(b.c);
  }
  return n;
}

function parseBlocks(src: string): Block[] {
  const parseInline = (l: string) => parseInlineAt(l, 0);
  const parseLines = (ls: string[]) => linesToInline(ls, parseInline);
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ t: 'p', c: parseLines(para) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('```')) {
      flush();
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').startsWith('```')) body.push(lines[i++] ?? '');
      blocks.push({ t: 'pre', v: body.join('\n') });
      continue;
    }
    if (/^>\s?/.test(line)) {
      flush();
      const body: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i] ?? ''))
        body.push((lines[i++] ?? '').replace(/^>\s?/, ''));
      i--;
      blocks.push({ t: 'quote', c: parseLines(body) });
      continue;
    }
    if (LIST_ITEM.test(line)) {
      flush();
      const items: Inline[][] = [];
      while (i < lines.length && LIST_ITEM.test(lines[i] ?? ''))
        items.push(parseInline((lines[i++] ?? '').replace(LIST_ITEM, '')));
      i--;
      blocks.push({ t: 'ul', items });
      continue;
    }
    if (line.trim() === '') flush();
    else para.push(line);
  }
  flush();
  return blocks;
}

function linesToInline(lines: string[], parse: (l: string) => Inline[]): Inline[] {
  const out: Inline[] = [];
  lines.forEach((l, i) => {
    if (i > 0) out.push({ t: 'br' });
    out.push(...parse(l));
  });
  return out;
}

/**
 * Inline patterns, tried at each position. Every repeated part is bounded, so a hostile run
 * (65 536 `[`, `*` or `http://`) costs at most a bounded scan per position instead of one to the
 * end of the text (quadratic: seconds of a frozen tab per message).
 */
const PATTERNS: { re: RegExp; make: (m: RegExpExecArray, depth: number) => Inline }[] = [
  { re: /`([^`\n]{1,2000})`/y, make: (m) => ({ t: 'code', v: m[1] ?? '' }) },
  {
    re: /\*\*(.{1,2000}?)\*\*/y,
    make: (m, d) => ({ t: 'strong', c: parseInlineAt(m[1] ?? '', d + 1) }),
  },
  { re: /~~(.{1,2000}?)~~/y, make: (m, d) => ({ t: 'del', c: parseInlineAt(m[1] ?? '', d + 1) }) },
  {
    // Single `*` and `_` emphasis only between words, never inside one: `2*3*4`, `__init__.py`
    // and `window.__x` stay as typed (the original shows every message verbatim).
    re: /(?<![A-Za-z0-9*])\*([^*\s](?:[^*]{0,2000}[^*\s])?)\*(?![A-Za-z0-9*])/y,
    make: (m, d) => ({ t: 'em', c: parseInlineAt(m[1] ?? '', d + 1) }),
  },
  {
    re: /(?<![A-Za-z0-9_])_([^_\s](?:[^_]{0,2000}[^_\s])?)_(?![A-Za-z0-9_])/y,
    make: (m, d) => ({ t: 'em', c: parseInlineAt(m[1] ?? '', d + 1) }),
  },
  {
    re: /\[([^\]\n]{1,500})\]\(([^)\s]{1,2048})\)/y,
    make: (m, d) => {
      const href = safeHref(m[2] ?? '');
      return href
        ? { t: 'link', href, c: parseInlineAt(m[1] ?? '', d + 1) }
        : { t: 'text', v: m[0] };
    },
  },
  {
    re: /(https?:\/\/[^\s<>()]{0,2047}[^\s<>().,;:!?'"])/y,
    make: (m) => {
      const href = safeHref(m[1] ?? '');
      return href ? { t: 'link', href, c: [{ t: 'text', v: m[1] ?? '' }] } : { t: 'text', v: m[0] };
    },
  },
];

/** Text longer than this is shown as plain text, without any formatting. */
export const MAX_INLINE_MARKDOWN = 16 * 1024;

const MAX_DEPTH = 8;

export function parseInline(s: string): Inline[] {
  return parseInlineAt(s, 0);
}

function parseInlineAt(s: string, depth: number): Inline[] {
  const out: Inline[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    let matched = false;
    if (depth < MAX_DEPTH) {
      for (const p of PATTERNS) {
        p.re.lastIndex = i;
        const m = p.re.exec(s);
        if (m) {
          if (text) out.push({ t: 'text', v: text });
          text = '';
          out.push(p.make(m, depth));
          i += m[0].length;
          matched = true;
          break;
        }
      }
    }
    if (!matched) text += s[i++];
  }
  if (text) out.push({ t: 'text', v: text });
  return out;
}

/** Plain-text form (previews, notifications). */
export function toPlainText(src: string): string {
  const flat = (c: Inline[]): string =>
    c
      .map((n) => (n.t === 'text' || n.t === 'code' ? n.v : n.t === 'br' ? ' ' : flat(n.c)))
      .join('');
  return (
    parseMarkdown(src)
      .map((b) => (b.t === 'pre' ? b.v : b.t === 'ul' ? b.items.map(flat).join(' ') : flat(b.c)))
      .join(' ')
      // Bidi overrides and isolates out: a preview or notification must read as it is stored
      // ("invoice\u202Efdp.exe" would show as "invoiceexe.pdf").
      .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
  );
}
