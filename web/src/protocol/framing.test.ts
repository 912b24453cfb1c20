import { describe, expect, it } from 'vitest';
import { MAX_TEXT } from './chat-codec';
import { applyPatches, decodePatch, encodePatch, foldPatch, type PatchOrder } from './msgpatch';
import {
  chunkRanges,
  chunkSize,
  encodeFeedbackWord,
  FeedbackReader,
  SAFE_CHUNK,
} from './file-framing';

describe('msgpatch', () => {
  it('decodes the original big-endian layout', () => {
    // kind=1 (replace), id "ab", value "hé" (3 bytes)
    const bytes = new Uint8Array([1, 0, 2, 0x61, 0x62, 0, 3, 0x68, 0xc3, 0xa9]);
    expect(decodePatch(bytes)).toEqual({
      ok: true,
      value: { kind: 'replace', messageId: 'ab', value: 'hé' },
    });
  });

  it('round-trips and applies orders in arrival order', () => {
    const a = decodePatch(encodePatch({ kind: 'append', messageId: 'm', value: ' world' }));
    const r = decodePatch(encodePatch({ kind: 'replace', messageId: 'm', value: '🕐 12:00:01' }));
    expect(a.ok && r.ok).toBe(true);
    if (!a.ok || !r.ok) return;
    expect(applyPatches('hello', [a.value])).toBe('hello world');
    expect(applyPatches('hello', [a.value, r.value])).toBe('🕐 12:00:01');
    expect(applyPatches('x', [{ kind: 'unknown', messageId: 'm', value: 'y' }])).toBe('x');
  });

  it('bounds what appends can grow a text to, also while the message is awaited', () => {
    const big: PatchOrder = { kind: 'append', messageId: 'm', value: 'x'.repeat(60000) };
    let text = 'start';
    for (let i = 0; i < 50; i++) text = applyPatches(text, [big]);
    expect(text.length).toBe(MAX_TEXT + 1);
    expect(text.endsWith('…')).toBe(true);
    let pending: PatchOrder | undefined;
    for (let i = 0; i < 50; i++) pending = foldPatch(pending, big);
    expect(pending?.value.length).toBe(MAX_TEXT + 1);
    pending = foldPatch(pending, { kind: 'replace', messageId: 'm', value: 'r' });
    pending = foldPatch(pending, { kind: 'unknown', messageId: 'm', value: 'u' });
    pending = foldPatch(pending, { kind: 'append', messageId: 'm', value: 's' });
    expect(applyPatches('base', [pending!])).toBe('rs');
    expect(applyPatches('base', [foldPatch(undefined, big)!])).toBe(`base${big.value}`);
  });

  it.each([
    ['empty', []],
    ['short header', [0, 0]],
    ['truncated id', [0, 0, 9, 0x61]],
    ['truncated value', [0, 0, 1, 0x61, 0, 5, 0x62]],
  ])('rejects %s', (_n, bytes) => {
    expect(decodePatch(new Uint8Array(bytes)).ok).toBe(false);
  });

  it('shows invalid UTF-8 as U+FFFD, as the original web client decodes it', () => {
    // append to "m" the bytes 'a', 0xE2 0x82 (a cut-off euro sign), 'b'
    const r = decodePatch(new Uint8Array([0, 0, 1, 0x6d, 0, 4, 0x61, 0xe2, 0x82, 0x62]));
    expect(r.ok && r.value).toEqual({ kind: 'append', messageId: 'm', value: 'a\uFFFDb' });
  });

  it('refuses to encode fields the original would silently truncate', () => {
    expect(() => encodePatch({ kind: 'append', messageId: 'm', value: 'x'.repeat(70000) })).toThrow(
      RangeError,
    );
  });
});

describe('file feedback words', () => {
  it('encodes big-endian 32-bit words', () => {
    expect([...new Uint8Array(encodeFeedbackWord(131072))]).toEqual([0, 2, 0, 0]);
    expect([...new Uint8Array(encodeFeedbackWord(0))]).toEqual([0, 0, 0, 0]);
  });

  it('re-assembles words split across messages', () => {
    const r = new FeedbackReader();
    const stream = new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x10, 0]);
    expect(r.push(stream.slice(0, 3))).toEqual([]);
    expect(r.push(stream.slice(3, 6))).toEqual([0]);
    expect(r.push(stream.slice(6))).toEqual([65536, 4096]);
    expect(r.acknowledged).toBe(65536 + 4096);
  });
});

describe('chunking', () => {
  it('caps chunks by the remote max message size', () => {
    expect(chunkSize(262144)).toBe(262144);
    expect(chunkSize(1 << 30)).toBe(262144);
    expect(chunkSize(65536)).toBe(65536);
    expect(chunkSize(null)).toBe(SAFE_CHUNK);
    expect(chunkSize(0)).toBe(SAFE_CHUNK);
  });

  it('covers every byte exactly once', () => {
    const ranges = [...chunkRanges(300000, 131072)];
    expect(ranges).toEqual([
      [0, 131072],
      [131072, 262144],
      [262144, 300000],
    ]);
    expect([...chunkRanges(0, 131072)]).toEqual([]);
  });
});
