import { createHash } from 'node:crypto';

/**
 * Reference for the file digest of digest.ts, written with Node's own SHA-256 for tests: SHA-256
 * over the SHA-256 digests of the 256 KiB blocks.
 */
export function referenceFileDigest(data: Uint8Array): string {
  const list = createHash('sha256');
  const block = 256 * 1024;
  for (let off = 0; off < data.length; off += block)
    list.update(
      createHash('sha256')
        .update(data.subarray(off, off + block))
        .digest(),
    );
  return list.digest('hex');
}
