import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlockDigest, DIGEST_BLOCK, sha256Of } from './digest';
import { decodeDigestTrailer, encodeDigestTrailer } from './file-transfer';
import { referenceFileDigest } from './testing/file-digest';

const MiB = 1024 * 1024;
const B = DIGEST_BLOCK;

describe('BlockDigest', () => {
  it.each([
    ['zero bytes', 0, [0]],
    ['one short block', 5, [5]],
    ['exactly one block', B, [B]],
    ['one block and a byte, in one piece', B + 1, [B + 1]],
    ['3.5 MiB in 256 KiB pieces', 3.5 * MiB, Array(14).fill(MiB / 4)],
    ['3.5 MiB in 64 KiB pieces (chunks towards bots)', 3.5 * MiB, Array(56).fill(MiB / 16)],
    ['pieces that straddle block ends', 2 * B + 7, [1000, B, 3, B - 996]],
    ['a first chunk then 4 MiB reads', 9 * MiB, [MiB / 4, 4 * MiB, 4 * MiB, (3 * MiB) / 4]],
  ])('%s: same digest as the reference however the bytes are split', async (_n, size, pieces) => {
    const data = new Uint8Array(randomBytes(size));
    const h = new BlockDigest();
    let off = 0;
    for (const n of pieces) {
      h.update(data.subarray(off, off + n));
      off += n;
    }
    expect(off).toBe(size);
    expect(await h.hex()).toBe(referenceFileDigest(data));
  });

  it('a zero-byte file digests to the SHA-256 of nothing', async () => {
    expect(await new BlockDigest().hex()).toBe(createHash('sha256').digest('hex'));
  });

  it('is not the plain SHA-256 once there is a block', async () => {
    const data = new Uint8Array(randomBytes(10));
    const h = new BlockDigest();
    h.update(data);
    expect(await h.hex()).not.toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('copies what it is given: the caller may reuse or detach the buffer at once', async () => {
    const data = new Uint8Array(randomBytes(DIGEST_BLOCK + 10));
    const want = referenceFileDigest(data);
    const h = new BlockDigest();
    const first = data.slice(0, DIGEST_BLOCK);
    const second = data.slice(DIGEST_BLOCK);
    h.update(first);
    h.update(second);
    structuredClone(first.buffer, { transfer: [first.buffer] }); // what a worker does with it
    second.fill(0);
    expect(await h.hex()).toBe(want);
  });

  it('hashes without WebCrypto too (insecure contexts), with the same result', async () => {
    const data = new Uint8Array(randomBytes(MiB + 3));
    const subtle = Object.getOwnPropertyDescriptor(globalThis.crypto, 'subtle');
    Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
    try {
      const h = new BlockDigest();
      h.update(data);
      const one = new Uint8Array([1, 2, 3]);
      const direct = sha256Of(one);
      one.fill(0);
      expect(Buffer.from(await direct).toString('hex')).toBe(
        createHash('sha256')
          .update(Uint8Array.from([1, 2, 3]))
          .digest('hex'),
      );
      expect(await h.hex()).toBe(referenceFileDigest(data));
    } finally {
      if (subtle) Object.defineProperty(globalThis.crypto, 'subtle', subtle);
      else delete (globalThis.crypto as { subtle?: unknown }).subtle;
    }
  });
});

describe('digest trailer', () => {
  it('round-trips and names its block size', () => {
    const hex = 'ab'.repeat(32);
    const text = encodeDigestTrailer(hex);
    expect(JSON.parse(text)).toEqual({ sha256Blocks: hex, blockSize: 262144 });
    expect(decodeDigestTrailer(text)).toBe(hex);
  });

  it.each([
    ['the old whole-file form', JSON.stringify({ sha256: 'ab'.repeat(32) })],
    ['another block size', JSON.stringify({ sha256Blocks: 'ab'.repeat(32), blockSize: 4 * MiB })],
    ['the earlier 1 MiB blocks', JSON.stringify({ sha256Blocks: 'ab'.repeat(32), blockSize: MiB })],
    ['upper-case hex', JSON.stringify({ sha256Blocks: 'AB'.repeat(32), blockSize: B })],
    ['a short digest', JSON.stringify({ sha256Blocks: 'ab', blockSize: B })],
    ['not JSON', '{"sha256Blocks":'],
    ['an array', '[]'],
    ['null', 'null'],
    ['too long', ' '.repeat(300)],
  ])('ignores %s', (_n, text) => {
    expect(decodeDigestTrailer(text)).toBeNull();
  });
});
