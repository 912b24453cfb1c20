import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256Stream } from './digest';

describe('Sha256Stream', () => {
  it('hashes bytes given before WebAssembly is ready, even if the caller then detaches them', async () => {
    const h = new Sha256Stream();
    const first = new Uint8Array([1, 2, 3]);
    const second = new Uint8Array([4, 5]);
    h.update(first);
    h.update(second);
    // Workers transfer their buffers away right after hashing; a queued view would be empty.
    structuredClone(first.buffer, { transfer: [first.buffer] });
    second.fill(0);
    const want = createHash('sha256')
      .update(Uint8Array.from([1, 2, 3, 4, 5]))
      .digest('hex');
    expect(await h.hex()).toBe(want);
  });
});
