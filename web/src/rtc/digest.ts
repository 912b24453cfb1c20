import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { createSHA256, type IHasher } from 'hash-wasm';

/**
 * The file digest (docs/web.md "Files"): SHA-256 over the concatenated SHA-256 digests of the
 * file's 256 KiB blocks (the last one may be shorter; a zero-byte file has no blocks). Each block
 * is hashed on its own, so WebCrypto's native SHA-256 can do the work (it has no incremental API):
 * about a quarter of the CPU of an incremental SHA-256 in WebAssembly. (Chromium computes it on
 * the calling thread, after copying the input; a block of 256 KiB is one received chunk, and its
 * copy costs far less than a 1 MiB one, which Chromium maps fresh from the kernel every time:
 * 0.7 against 1.1 ms of CPU per MiB, docs/benchmarks.md.)
 */
export const DIGEST_BLOCK = 256 * 1024;

let wasm: Promise<IHasher | null> | null = null;

/** SHA-256 of bytes already copied for this call, without WebCrypto (insecure contexts). */
async function portableSha256(bytes: Uint8Array): Promise<Uint8Array> {
  wasm ??= createSHA256().catch(() => null);
  const h = await wasm;
  if (!h) return sha256(bytes);
  // init/update/digest run without a pause in between, so one instance serves every caller.
  h.init();
  h.update(bytes);
  return h.digest('binary');
}

/**
 * SHA-256 of `bytes`, which the caller may reuse or detach once this returns (the bytes are
 * copied synchronously, as WebCrypto does).
 */
export function sha256Of(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle)
    return subtle
      .digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
      .then((d) => new Uint8Array(d));
  return portableSha256(bytes.slice());
}

/**
 * Incremental file digest: `update` with the file's bytes in order, then `hex`. Memory stays
 * constant however long the file: block digests are folded into an incremental SHA-256 (32 bytes
 * per block, in JavaScript) in order as they resolve.
 */
export class BlockDigest {
  private stage: Uint8Array | null = null;
  private staged = 0;
  private readonly outer = sha256.create();
  private folded: Promise<void> = Promise.resolve();

  /** The caller may reuse or transfer `bytes` afterwards. */
  update(bytes: Uint8Array): void {
    let src = bytes;
    while (src.length) {
      if (!this.staged && src.length >= DIGEST_BLOCK) {
        this.fold(sha256Of(src.subarray(0, DIGEST_BLOCK)));
        src = src.subarray(DIGEST_BLOCK);
        continue;
      }
      this.stage ??= new Uint8Array(DIGEST_BLOCK);
      const n = Math.min(src.length, DIGEST_BLOCK - this.staged);
      this.stage.set(src.subarray(0, n), this.staged);
      this.staged += n;
      src = src.subarray(n);
      if (this.staged === DIGEST_BLOCK) this.flush();
    }
  }

  private fold(block: Promise<Uint8Array>) {
    this.folded = this.folded.then(async () => {
      this.outer.update(await block);
    });
  }

  private flush() {
    if (!this.stage || !this.staged) return;
    this.fold(sha256Of(this.stage.subarray(0, this.staged)));
    this.staged = 0;
  }

  async hex(): Promise<string> {
    this.flush();
    await this.folded;
    return bytesToHex(this.outer.digest());
  }
}
