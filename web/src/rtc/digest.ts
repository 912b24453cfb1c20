import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { createSHA256, type IHasher } from 'hash-wasm';

/**
 * Incremental SHA-256: WebAssembly (hash-wasm, several times faster than JS) once it has
 * loaded, with updates queued meanwhile; pure JS (@noble/hashes) where WebAssembly is refused.
 */
export class Sha256Stream {
  private wasm: IHasher | null = null;
  private js: ReturnType<typeof sha256.create> | null = null;
  private queue: Uint8Array[] = [];
  private readonly ready: Promise<void>;

  constructor() {
    this.ready = createSHA256().then(
      (h) => {
        h.init();
        for (const u of this.queue) h.update(u);
        this.wasm = h;
        this.queue = [];
      },
      () => {
        const h = sha256.create();
        for (const u of this.queue) h.update(u);
        this.js = h;
        this.queue = [];
      },
    );
  }

  /** The caller may reuse or transfer `bytes` afterwards (queued bytes are copied). */
  update(bytes: Uint8Array): void {
    if (this.wasm) this.wasm.update(bytes);
    else if (this.js) this.js.update(bytes);
    else this.queue.push(bytes.slice());
  }

  async hex(): Promise<string> {
    await this.ready;
    if (this.wasm) return this.wasm.digest('hex');
    return bytesToHex((this.js as ReturnType<typeof sha256.create>).digest());
  }
}
