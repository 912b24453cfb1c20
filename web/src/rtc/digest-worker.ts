import { Sha256Stream } from './digest';
import type { HashReply, HashRequest } from './sha256.worker';

/** What the file sender needs of an incremental SHA-256. */
export interface Sha256Sink {
  /** Takes ownership of `bytes` (it may be transferred to a worker). */
  update(bytes: Uint8Array): void;
  hex(): Promise<string>;
}

/**
 * SHA-256 computed in a dedicated worker (sha256.worker.ts), so the sender's main thread only
 * reads and sends. Falls back to hashing on this thread where workers are unavailable. Updates
 * are applied in order; a view that does not cover its whole buffer is copied first.
 */
export class WorkerSha256 implements Sha256Sink {
  private readonly worker: Worker | null;
  private readonly local: Sha256Stream | null;
  private digest: ((hex: string) => void) | null = null;
  private failed: string | null = null;
  private fail: ((e: Error) => void) | null = null;

  constructor() {
    let worker: Worker | null = null;
    try {
      if (typeof Worker !== 'undefined')
        worker = new Worker(new URL('./sha256.worker.ts', import.meta.url), { type: 'module' });
    } catch {
      worker = null;
    }
    this.worker = worker;
    this.local = worker ? null : new Sha256Stream();
    worker?.addEventListener('message', (ev: MessageEvent<HashReply>) => {
      if (ev.data.kind === 'digest') this.digest?.(ev.data.hex);
      if (ev.data.kind === 'error') {
        this.failed = ev.data.message;
        this.fail?.(new Error(this.failed));
      }
    });
    worker?.addEventListener('error', (e) => {
      this.failed = e.message || 'hash worker failed';
      this.fail?.(new Error(this.failed));
    });
  }

  update(bytes: Uint8Array): void {
    if (this.local) return this.local.update(bytes);
    const whole =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? (bytes.buffer as ArrayBuffer)
        : (bytes.slice().buffer as ArrayBuffer);
    this.worker!.postMessage({ kind: 'data', bytes: whole } satisfies HashRequest, [whole]);
  }

  hex(): Promise<string> {
    if (this.local) return this.local.hex();
    const worker = this.worker!;
    if (this.failed) return Promise.reject(new Error(this.failed));
    return new Promise<string>((resolve, reject) => {
      this.digest = (hex) => {
        worker.terminate();
        resolve(hex);
      };
      this.fail = reject;
      worker.postMessage({ kind: 'finish' } satisfies HashRequest);
    });
  }

  /** Stops the worker of an abandoned transfer. */
  dispose(): void {
    this.worker?.terminate();
  }
}
