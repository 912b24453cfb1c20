import { BlockDigest } from './digest';
import type { WriterReply, WriterRequest } from './opfs-writer.worker';

/**
 * Where a receiver's bytes go. A sink hashes what it is given (the additive digest of digest.ts) and
 * stores it; `finish` returns the stored file and its digest.
 */
export interface ReceiveSink {
  /** Takes ownership of `bytes` (a sink may transfer the buffer to a worker). */
  write(bytes: ArrayBuffer): void;
  finish(mime: string): Promise<{ blob: Blob; sha256: string }>;
  /** Drops the stored bytes (also after `finish`). */
  discard(): void;
  /**
   * Bytes given to `write` and not stored yet (on their way to a worker's disk write); absent or
   * 0 for a sink that stores at once. The receiver acknowledges a chunk only once it is stored.
   */
  readonly backlog?: number;
  /** Called whenever `backlog` shrinks. */
  ondrain?: (() => void) | null;
}

/** Chunks are folded into a Blob part every this many bytes. */
const BLOB_PART = 4 * 1024 * 1024;
/** Bytes handed to the writer worker at a time, and how many such buffers are kept for reuse. */
const WORKER_BATCH = 1024 * 1024;
const POOL_BUFFERS = 4;
const OPFS_DIR = 'incoming';
/** Writer workers alive at once (one thread each); further files are written from this thread. */
export const MAX_WRITER_WORKERS = 4;
let writerWorkers = 0;

/** Where received bytes go: Blob parts in memory, or a file in the origin private file system. */
export interface ChunkSink {
  write(part: Blob): void;
  finish(mime: string): Promise<Blob>;
  discard(): void;
}

export class BlobSink implements ChunkSink {
  private parts: Blob[] = [];
  write(part: Blob) {
    this.parts.push(part);
  }
  finish(mime: string): Promise<Blob> {
    const blob = new Blob(this.parts, { type: mime });
    this.parts = [];
    return Promise.resolve(blob);
  }
  discard() {
    this.parts = [];
  }
}

/**
 * Streams a received file to disk (origin private file system), so a large file costs neither
 * renderer nor browser memory; the finished File is disk-backed and offered for download.
 */
export class OpfsSink implements ChunkSink {
  private chain: Promise<unknown> = Promise.resolve();
  private failed: unknown = null;
  private constructor(
    private readonly dir: FileSystemDirectoryHandle,
    private readonly name: string,
    private readonly handle: FileSystemFileHandle,
    private readonly writable: FileSystemWritableFileStream,
  ) {}

  static async create(): Promise<OpfsSink | null> {
    try {
      if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return null;
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle(OPFS_DIR, { create: true });
      const name = `${Date.now()}-${crypto.randomUUID()}`;
      const handle = await dir.getFileHandle(name, { create: true });
      const writable = await handle.createWritable();
      return new OpfsSink(dir, name, handle, writable);
    } catch {
      return null;
    }
  }

  /** Removes files left by earlier page loads (their object URLs are gone anyway). */
  static async sweep(): Promise<void> {
    try {
      const root = await navigator.storage.getDirectory();
      await root.removeEntry(OPFS_DIR, { recursive: true });
    } catch {
      /* nothing there */
    }
  }

  write(part: Blob) {
    this.chain = this.chain
      .then(() => this.writable.write(part))
      .catch((e: unknown) => (this.failed = e));
  }

  async finish(mime: string): Promise<Blob> {
    await this.chain;
    if (this.failed) throw this.failed;
    await this.writable.close();
    const file = await this.handle.getFile();
    return file.slice(0, file.size, mime);
  }

  discard() {
    void this.chain.then(async () => {
      try {
        await this.writable.abort();
      } catch {
        /* closed */
      }
      await this.dir.removeEntry(this.name).catch(() => {});
    });
  }
}

/** Hashes on the calling thread and folds chunks into 4 MiB Blob parts for a ChunkSink. */
export class HashingSink implements ReceiveSink {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private readonly hasher = new BlockDigest();

  constructor(private readonly parts: ChunkSink = new BlobSink()) {}

  write(bytes: ArrayBuffer) {
    const u = new Uint8Array(bytes);
    this.hasher.update(u);
    this.pending.push(u);
    this.pendingBytes += u.length;
    if (this.pendingBytes >= BLOB_PART) this.fold();
  }

  private fold() {
    if (this.pending.length) this.parts.write(new Blob(this.pending as BlobPart[]));
    this.pending = [];
    this.pendingBytes = 0;
  }

  async finish(mime: string) {
    this.fold();
    const blob = await this.parts.finish(mime);
    return { blob, sha256: await this.hasher.hex() };
  }

  discard() {
    this.pending = [];
    this.parts.discard();
  }
}

/**
 * Writes in a dedicated worker (opfs-writer.worker.ts) through a synchronous OPFS access handle:
 * the main thread digests each received chunk (a 256 KiB chunk is one digest block; WebCrypto, on
 * this thread, measured no worse than in the worker), copies it into a 1 MiB buffer and transfers
 * each full buffer, so no Blob part goes through the browser process.
 */
export class OpfsWorkerSink implements ReceiveSink {
  private replies: ((r: WriterReply) => void)[] = [];
  private error: string | null = null;
  private finished = false;
  /** Received chunks are copied into `stage`; full stages go to the worker and come back. */
  private stage: Uint8Array | null = null;
  private staged = 0;
  private pool: ArrayBuffer[] = [];
  /** Lengths of the buffers handed to the worker and not written yet, oldest first. */
  private posted: number[] = [];
  backlog = 0;
  ondrain: (() => void) | null = null;
  /** Hashed here, chunk by chunk as received (WebCrypto digests on the calling thread). */
  private readonly hasher = new BlockDigest();

  private constructor(
    private readonly worker: Worker,
    private readonly name: string,
  ) {
    worker.onmessage = (ev: MessageEvent<WriterReply>) => {
      if (ev.data.kind === 'buffer') {
        if (this.pool.length < POOL_BUFFERS) this.pool.push(ev.data.bytes);
        this.drained(this.posted.shift() ?? 0);
        return;
      }
      if (ev.data.kind === 'error') this.fail(ev.data.message);
      this.replies.shift()?.(ev.data);
    };
    worker.onerror = (ev) => {
      this.fail(ev.message || 'worker failed');
      for (const r of this.replies.splice(0)) r({ kind: 'error', message: this.error! });
    };
  }

  private drained(bytes: number) {
    this.backlog -= bytes;
    this.ondrain?.();
  }

  /**
   * A failed worker writes nothing more: its backlog is let go (the file fails at `finish`), so
   * the sender is not held waiting for acknowledgements that would never come.
   */
  private fail(message: string) {
    this.error = message;
    this.posted = [];
    this.drained(this.backlog);
  }

  /** Resolves null where workers or synchronous OPFS handles are unavailable, or too many run. */
  static async create(timeoutMs = 5000): Promise<OpfsWorkerSink | null> {
    if (typeof Worker === 'undefined' || typeof navigator === 'undefined') return null;
    if (!navigator.storage?.getDirectory || writerWorkers >= MAX_WRITER_WORKERS) return null;
    let worker: Worker;
    try {
      worker = new Worker(new URL('./opfs-writer.worker.ts', import.meta.url), {
        type: 'module',
      });
    } catch {
      return null;
    }
    writerWorkers++;
    const sink = new OpfsWorkerSink(worker, `${Date.now()}-${crypto.randomUUID()}`);
    const timeout = new Promise<WriterReply>((res) =>
      setTimeout(() => res({ kind: 'error', message: 'timeout' }), timeoutMs),
    );
    const r = await Promise.race([
      sink.request({ kind: 'open', dir: OPFS_DIR, name: sink.name }),
      timeout,
    ]);
    if (r.kind === 'ready') return sink;
    sink.end();
    return null;
  }

  private ended = false;
  /** Stops the worker (once) and frees its place among the MAX_WRITER_WORKERS. */
  private end() {
    if (this.ended) return;
    this.ended = true;
    writerWorkers--;
    this.worker.terminate();
  }

  private request(req: WriterRequest, transfer: Transferable[] = []): Promise<WriterReply> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.worker.postMessage(req, transfer);
    });
  }

  write(bytes: ArrayBuffer) {
    let src = new Uint8Array(bytes);
    this.hasher.update(src);
    while (src.length) {
      this.stage ??= new Uint8Array(this.pool.pop() ?? new ArrayBuffer(WORKER_BATCH));
      const n = Math.min(src.length, this.stage.length - this.staged);
      this.stage.set(src.subarray(0, n), this.staged);
      this.staged += n;
      src = src.subarray(n);
      if (this.staged === this.stage.length) this.flushStage();
    }
  }

  private flushStage() {
    if (!this.stage || !this.staged) return;
    const bytes = this.stage.buffer as ArrayBuffer;
    if (!this.error) {
      this.posted.push(this.staged);
      this.backlog += this.staged;
    }
    // Answered by a `buffer` reply (the buffer itself), which does not touch the reply queue.
    this.worker.postMessage({ kind: 'data', bytes, length: this.staged } satisfies WriterRequest, [
      bytes,
    ]);
    this.stage = null;
    this.staged = 0;
  }

  async finish(mime: string) {
    this.finished = true;
    this.flushStage();
    const r = await this.request({ kind: 'finish' });
    this.end();
    if (r.kind !== 'done') throw new Error(`could not store the file: ${this.error ?? r.kind}`);
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(OPFS_DIR);
    const file = await (await dir.getFileHandle(this.name)).getFile();
    return { blob: file.slice(0, file.size, mime), sha256: await this.hasher.hex() };
  }

  discard() {
    if (!this.finished) {
      // The worker still holds the file open: it closes and removes it.
      this.finished = true;
      void this.request({ kind: 'discard' }).then(() => this.end());
      return;
    }
    void navigator.storage
      .getDirectory()
      .then((root) => root.getDirectoryHandle(OPFS_DIR))
      .then((dir) => dir.removeEntry(this.name))
      .catch(() => {});
  }
}

/**
 * Where an incoming file goes by default: the private file system written from a worker, else
 * written from this thread, else (no OPFS) Blob parts in memory.
 */
export async function openDiskSink(): Promise<ReceiveSink> {
  const viaWorker = await OpfsWorkerSink.create();
  if (viaWorker) return viaWorker;
  const onThread = await OpfsSink.create();
  return new HashingSink(onThread ?? new BlobSink());
}
