import { Sha256Stream } from './digest';
import { chunkSize, encodeFeedbackWord, FeedbackReader } from '../protocol';

/** Sender pacing: keep at most HIGH_WATER bytes queued, resume at LOW_WATER. */
export const HIGH_WATER = 8 * 1024 * 1024;
export const LOW_WATER = 2 * 1024 * 1024;
/** Bytes read from the file at a time (sent as several chunks). */
const READ_BLOCK = 4 * 1024 * 1024;
/** Receiver: chunks are folded into a Blob part every this many bytes. */
const BLOB_PART = 4 * 1024 * 1024;

export type TransferOutcome = 'complete' | 'cancelled' | 'failed';

export interface Progress {
  bytes: number;
  rate: number;
}

/** Throttled progress with a rate estimate (bytes/s over a sliding ~1 s window). */
export class RateMeter {
  private samples: [number, number][] = [];
  private lastEmit = 0;
  constructor(
    private readonly emit: (p: Progress) => void,
    private readonly intervalMs = 250,
  ) {}
  update(bytes: number, force = false) {
    const now = performance.now();
    this.samples.push([now, bytes]);
    while (this.samples.length > 2 && now - (this.samples[0]?.[0] ?? now) > 1000)
      this.samples.shift();
    if (!force && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    const first = this.samples[0] ?? [now, bytes];
    const dt = (now - first[0]) / 1000;
    this.emit({ bytes, rate: dt > 0 ? (bytes - first[1]) / dt : 0 });
  }
}

/** Incremental SHA-256 of a Blob, read in blocks (no whole-file copy in memory). */
export async function digestBlob(blob: Blob): Promise<string> {
  const h = new Sha256Stream();
  for (let off = 0; off < blob.size; off += READ_BLOCK) {
    h.update(new Uint8Array(await blob.slice(off, off + READ_BLOCK).arrayBuffer()));
  }
  return h.hex();
}

export function waitOpen(ch: RTCDataChannel, timeoutMs = 15000): Promise<void> {
  if (ch.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => done(new Error('channel did not open')), timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(t);
      ch.removeEventListener('open', onOpen);
      ch.removeEventListener('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onOpen = () => done();
    const onClose = () => done(new Error('channel closed before opening'));
    ch.addEventListener('open', onOpen);
    ch.addEventListener('close', onClose);
  });
}

/**
 * Streams a file over an open `file` channel (PROTOCOL.md 4.7): chunks capped by the remote's
 * max message size, paced by bufferedAmount (awaiting `bufferedamountlow`), progress and
 * completion from the receiver's feedback words; the sender closes the channel once every
 * byte is acknowledged. Resolves 'cancelled' if the channel closes early (either side).
 */
export interface DigestOptions {
  /** Send the digest in-band after the data (only to peers announcing `file-digest`). */
  trailer?: boolean;
  onDigest?: (hex: string) => void;
}

/**
 * Additive, negotiated: a text frame `{"sha256":"<hex>"}` after the last chunk on the `file`
 * channel. Original clients never receive it (they do not announce the feature).
 */
export function encodeDigestTrailer(hex: string): string {
  return JSON.stringify({ sha256: hex });
}

export function decodeDigestTrailer(text: string): string | null {
  if (text.length > 200) return null;
  try {
    const v = JSON.parse(text) as unknown;
    const hex =
      typeof v === 'object' && v !== null ? (v as { sha256?: unknown }).sha256 : undefined;
    return typeof hex === 'string' && /^[0-9a-f]{64}$/.test(hex) ? hex : null;
  } catch {
    return null;
  }
}

export function streamFile(
  ch: RTCDataChannel,
  file: Blob,
  maxMessageSize: number | null,
  onProgress: (p: Progress) => void,
  signal: AbortSignal,
  digest: DigestOptions = {},
): Promise<TransferOutcome> {
  const size = file.size;
  const hasher = new Sha256Stream();
  const chunk = chunkSize(maxMessageSize);
  const feedback = new FeedbackReader();
  const meter = new RateMeter(onProgress);
  ch.binaryType = 'arraybuffer';
  ch.bufferedAmountLowThreshold = LOW_WATER;

  return new Promise<TransferOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: TransferOutcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      ch.removeEventListener('message', onMessage);
      ch.removeEventListener('close', onClose);
      if (ch.readyState === 'open' || ch.readyState === 'connecting') ch.close();
      meter.update(feedback.acknowledged, true);
      resolve(outcome);
    };
    const onAbort = () => finish('cancelled');
    const onMessage = (ev: MessageEvent) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      feedback.push(ev.data);
      meter.update(Math.min(size, feedback.acknowledged));
      if (feedback.acknowledged >= size && sentAll) finish('complete');
    };
    const onClose = () =>
      finish(feedback.acknowledged >= size && sentAll ? 'complete' : 'cancelled');
    let sentAll = false;
    signal.addEventListener('abort', onAbort);
    ch.addEventListener('message', onMessage);
    ch.addEventListener('close', onClose);
    if (signal.aborted) return finish('cancelled');

    const drained = () =>
      new Promise<void>((res) => {
        const go = () => {
          ch.removeEventListener('bufferedamountlow', go);
          ch.removeEventListener('close', go);
          signal.removeEventListener('abort', go);
          res();
        };
        ch.addEventListener('bufferedamountlow', go);
        ch.addEventListener('close', go);
        signal.addEventListener('abort', go);
      });

    void (async () => {
      try {
        for (let off = 0; off < size && !settled; off += READ_BLOCK) {
          const block = new Uint8Array(await file.slice(off, off + READ_BLOCK).arrayBuffer());
          hasher.update(block);
          for (let i = 0; i < block.length && !settled; i += chunk) {
            if (ch.bufferedAmount > HIGH_WATER) await drained();
            if (settled || ch.readyState !== 'open') return;
            ch.send(block.subarray(i, Math.min(block.length, i + chunk)));
          }
        }
        // The digest of what was read and sent, computed on the way (no second pass over the file).
        const hex = await hasher.hex();
        digest.onDigest?.(hex);
        if (digest.trailer && ch.readyState === 'open') ch.send(encodeDigestTrailer(hex));
        sentAll = true;
        // Zero bytes: nothing to acknowledge (the original's race, PROTOCOL.md 4.7).
        if (feedback.acknowledged >= size) finish('complete');
      } catch (e) {
        console.warn('file: send failed', e);
        finish('failed');
      }
    })();
  });
}

export interface ReceivedFile {
  blob: Blob;
  bytes: number;
  sha256: string;
  /** The digest the sender announced in-band, if it did. */
  expectedSha256?: string;
}

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

const OPFS_DIR = 'incoming';

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

/**
 * Receives one file channel: answers the initial 0-word and one feedback word per chunk, hashes
 * as it goes and hands the bytes to a sink in 4 MiB parts (OPFS when the browser has it, else
 * Blob parts, which Chromium keeps outside the JS heap). Resolves when the sender closes the
 * channel.
 */
export class FileReceiver {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private hasher = new Sha256Stream();
  private meter: RateMeter;
  private sink: ChunkSink | null = null;
  private early: Blob[] = [];
  bytes = 0;
  readonly done: Promise<ReceivedFile>;
  private resolve!: (r: ReceivedFile) => void;
  private reject!: (e: unknown) => void;
  private mime = 'application/octet-stream';

  constructor(
    readonly channel: RTCDataChannel,
    onProgress: (p: Progress) => void,
    sink: ChunkSink | Promise<ChunkSink | null> = new BlobSink(),
  ) {
    this.meter = new RateMeter(onProgress);
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    void Promise.resolve(sink).then((s) => {
      this.sink = s ?? new BlobSink();
      for (const part of this.early.splice(0)) this.sink.write(part);
      if (this.finished) void this.complete();
    });
    channel.binaryType = 'arraybuffer';
    const greet = () => channel.send(encodeFeedbackWord(0));
    if (channel.readyState === 'open') greet();
    else channel.addEventListener('open', greet, { once: true });
    channel.addEventListener('message', (ev: MessageEvent) => this.onMessage(ev.data));
    channel.addEventListener('close', () => this.finish());
  }

  setType(mime: string) {
    this.mime = mime || 'application/octet-stream';
  }

  cancel() {
    this.channel.close();
  }

  private expected: string | undefined;

  private onMessage(data: unknown) {
    if (typeof data === 'string') {
      this.expected = decodeDigestTrailer(data) ?? this.expected;
      return;
    }
    if (!(data instanceof ArrayBuffer)) return;
    const bytes = new Uint8Array(data);
    this.hasher.update(bytes);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.bytes += bytes.length;
    if (this.pendingBytes >= BLOB_PART) this.fold();
    if (this.channel.readyState === 'open') this.channel.send(encodeFeedbackWord(bytes.length));
    this.meter.update(this.bytes);
  }

  private fold() {
    if (this.pending.length) {
      const part = new Blob(this.pending as BlobPart[]);
      if (this.sink) this.sink.write(part);
      else this.early.push(part);
    }
    this.pending = [];
    this.pendingBytes = 0;
  }

  private finished = false;
  private finish() {
    if (this.finished) return;
    this.finished = true;
    this.fold();
    this.meter.update(this.bytes, true);
    if (this.sink) void this.complete();
  }

  private async complete() {
    const sink = this.sink;
    if (!sink) return;
    try {
      const blob = await sink.finish(this.mime);
      const r: ReceivedFile = { blob, bytes: this.bytes, sha256: await this.hasher.hex() };
      if (this.expected) r.expectedSha256 = this.expected;
      this.resolve(r);
    } catch (e) {
      this.reject(e);
    }
  }

  /** Drops the stored bytes (an incomplete file is never offered). */
  discard() {
    this.sink?.discard();
  }
}
