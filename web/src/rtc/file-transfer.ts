import { BlockDigest, DIGEST_BLOCK } from './digest';
import { HashingSink, type ReceiveSink } from './file-sinks';
import { chunkSize, encodeFeedbackWord, FeedbackReader, passiveMime } from '../protocol';

/** Sender pacing: keep at most HIGH_WATER bytes queued, resume at LOW_WATER. */
export const HIGH_WATER = 8 * 1024 * 1024;
export const LOW_WATER = 2 * 1024 * 1024;
/**
 * At most this many bytes sent and not yet acknowledged by the receiver's feedback words: a
 * receiver slower than the network (its disk or CPU; ours acknowledges a chunk once stored) holds
 * at most this much for the file, instead of queueing without bound.
 */
export const WINDOW = 16 * 1024 * 1024;
/** Bytes read from the file at a time (sent as several chunks). */
const READ_BLOCK = 4 * 1024 * 1024;

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
    private readonly intervalMs = 500,
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

/** The file digest (digest.ts) of a Blob, read in blocks (no whole-file copy in memory). */
export async function digestBlob(blob: Blob): Promise<string> {
  const h = new BlockDigest();
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
  /** Send the digest in-band after the data (only to peers announcing `file-sha256-blocks`). */
  trailer?: boolean;
  onDigest?: (hex: string) => void;
}

/** The feature a peer announces (attribute `tincan_features`) to get the digest trailer. */
export const DIGEST_FEATURE = 'file-sha256-blocks';

/**
 * Additive, negotiated: a text frame `{"sha256Blocks":"<hex>","blockSize":262144}` after the last
 * chunk on the `file` channel (the digest of digest.ts). Original clients never receive it (they
 * do not announce the feature).
 */
export function encodeDigestTrailer(hex: string): string {
  return JSON.stringify({ sha256Blocks: hex, blockSize: DIGEST_BLOCK });
}

/** The trailer's digest, or null for anything else (including another block size). */
export function decodeDigestTrailer(text: string): string | null {
  if (text.length > 200) return null;
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return null;
    const { sha256Blocks: hex, blockSize } = v as { sha256Blocks?: unknown; blockSize?: unknown };
    if (blockSize !== DIGEST_BLOCK) return null;
    return typeof hex === 'string' && /^[0-9a-f]{64}$/.test(hex) ? hex : null;
  } catch {
    return null;
  }
}

/** A reader filling buffers of ours, or null where the file's stream is not a byte stream. */
function byobReader(file: Blob): ReadableStreamBYOBReader | null {
  try {
    return file.stream().getReader({ mode: 'byob' });
  } catch {
    return null;
  }
}

/**
 * Reads a file in blocks, one read ahead: first one chunk (sending starts without waiting for a
 * whole block), then READ_BLOCK bytes at a time; the second block is read as soon as the first is
 * in (while the channel opens), so the first chunk sent is not alone in the channel while the
 * next 4 MiB are read. Where the browser offers a byte stream, two buffers are filled in turn and
 * reused for the whole file (a fresh 4 MiB ArrayBuffer per read cost Chromium 40 % more CPU,
 * docs/benchmarks.md); else `slice().arrayBuffer()`. A block handed out by `next` is valid until
 * the following call.
 */
export class BlockReader {
  private readonly reader: ReadableStreamBYOBReader | null;
  private spare: ArrayBuffer | null = null;
  private ahead: Promise<Uint8Array<ArrayBuffer> | null>;
  /** The second block's read, started once the first block is in; taken by the first `next`. */
  private second: Promise<Uint8Array<ArrayBuffer> | null> | null;
  private offset = 0;

  constructor(
    private readonly file: Blob,
    private readonly first: number,
  ) {
    this.reader = byobReader(file);
    this.ahead = this.read(new ArrayBuffer(Math.min(file.size, Math.max(first, 1))));
    this.second = this.ahead.then((block) =>
      block ? this.read(new ArrayBuffer(Math.min(READ_BLOCK, file.size - this.offset))) : null,
    );
    // A read abandoned by a cancel must not be an unhandled rejection.
    this.ahead.catch(() => {});
    this.second.catch(() => {});
  }

  /** The next block, or null at the end of the file. */
  async next(): Promise<Uint8Array<ArrayBuffer> | null> {
    const block = await this.ahead;
    if (!block) return null;
    if (this.second) {
      // The first block (one chunk, in a buffer of its own): the second is being read already.
      this.ahead = this.second;
      this.second = null;
      return block;
    }
    // The buffer of the block before this one is free again: the next read fills it.
    const into = this.spare ?? new ArrayBuffer(Math.min(READ_BLOCK, this.file.size - this.offset));
    this.spare = block.buffer;
    this.ahead = this.read(into);
    this.ahead.catch(() => {});
    return block;
  }

  close(): void {
    void this.reader?.cancel().catch(() => {});
  }

  private async read(buffer: ArrayBuffer): Promise<Uint8Array<ArrayBuffer> | null> {
    const want = Math.min(
      this.file.size - this.offset,
      this.offset === 0 ? this.first : READ_BLOCK,
    );
    if (want <= 0) return null;
    const start = this.offset;
    this.offset += want;
    if (!this.reader)
      return new Uint8Array(await this.file.slice(start, start + want).arrayBuffer());
    // A byte stream may hand back less than asked for: fill the block before returning it.
    let buf = buffer.byteLength >= want ? buffer : new ArrayBuffer(want);
    let filled = 0;
    while (filled < want) {
      const { value, done } = await this.reader.read(new Uint8Array(buf, filled, want - filled));
      if (value) {
        buf = value.buffer as ArrayBuffer;
        filled += value.byteLength;
      }
      if (done) break;
    }
    if (filled < want) throw new Error('the file ended before its size');
    return new Uint8Array(buf, 0, want);
  }
}

export function streamFile(
  ch: RTCDataChannel,
  file: Blob,
  maxMessageSize: number | null,
  onProgress: (p: Progress) => void,
  signal: AbortSignal,
  digest: DigestOptions = {},
  /** The file's reader if the caller started it already (its first chunk read ahead). */
  reader?: BlockReader,
): Promise<TransferOutcome> {
  const size = file.size;
  const hasher = new BlockDigest();
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
      wakeSender();
      resolve(outcome);
    };
    const onAbort = () => finish('cancelled');
    // The sending loop waiting for feedback words to open the window again (or for the end).
    let waiting: (() => void) | null = null;
    const wakeSender = () => {
      waiting?.();
      waiting = null;
    };
    const acknowledged = () => new Promise<void>((res) => (waiting = res));
    const onMessage = (ev: MessageEvent) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      feedback.push(ev.data);
      wakeSender();
      meter.update(Math.min(size, feedback.acknowledged));
      if (feedback.acknowledged >= size && sentAll) finish('complete');
    };
    // A receiver may close a zero-byte file's channel itself (FileReceiver.accept): complete.
    const onClose = () =>
      finish(feedback.acknowledged >= size && (sentAll || size === 0) ? 'complete' : 'cancelled');
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
      const blocks = reader ?? new BlockReader(file, chunk);
      let sent = 0;
      try {
        for (let block = await blocks.next(); block && !settled; block = await blocks.next()) {
          for (let i = 0; i < block.length && !settled; i += chunk) {
            if (ch.bufferedAmount > HIGH_WATER) await drained();
            while (!settled && sent - feedback.acknowledged >= WINDOW) await acknowledged();
            if (settled || ch.readyState !== 'open') return;
            const piece = block.subarray(i, Math.min(block.length, i + chunk));
            ch.send(piece);
            sent += piece.length;
            // Hashed chunk by chunk, so the transport's threads are not kept from the CPU for long
            // at a time (a 256 KiB chunk is one digest block, hashed without a copy of ours).
            hasher.update(piece);
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
      } finally {
        blocks.close();
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
  /** The receiver closed the channel: bytes before any announcement, or more than announced. */
  refused?: 'unannounced' | 'overflow';
}

type SinkSource = ReceiveSink | Promise<ReceiveSink | null>;

/**
 * Receives one file channel: answers the initial 0-word and one feedback word per chunk and hands
 * each chunk to a sink, which hashes and stores it (see file-sinks.ts). Resolves when the sender
 * closes the channel.
 *
 * `gated`: nothing is stored (and no sink opened) until `accept` names the announced size. A
 * sender sends bytes only after the receiver ACKed the announcement (PROTOCOL.md 4.7), so bytes
 * before it, or beyond the announced size, come from a hostile peer: the channel is closed.
 */
export class FileReceiver {
  private meter: RateMeter;
  private sink: ReceiveSink | null = null;
  /** Chunks that arrived before an asynchronously opened sink was ready. */
  private early: ArrayBuffer[] = [];
  bytes = 0;
  readonly done: Promise<ReceivedFile>;
  private resolve!: (r: ReceivedFile) => void;
  private reject!: (e: unknown) => void;
  private mime = 'application/octet-stream';

  private readonly openSink: () => SinkSource;
  private limit = Infinity;
  private accepted: boolean;
  private refused: ReceivedFile['refused'];
  /**
   * Sizes of the chunks taken and not acknowledged yet, oldest first: a chunk's feedback word
   * goes out once the sink has stored it (PROTOCOL.md 4.7: one word per chunk, in order), so a
   * sender that keeps its unacknowledged bytes bounded (ours: WINDOW) cannot outrun our disk.
   */
  private unacked: number[] = [];
  private handed = 0;
  private ackedBytes = 0;

  constructor(
    readonly channel: RTCDataChannel,
    onProgress: (p: Progress) => void,
    sink: SinkSource | (() => SinkSource) = new HashingSink(),
    opts: { gated?: boolean } = {},
  ) {
    this.meter = new RateMeter(onProgress);
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.openSink = typeof sink === 'function' ? sink : () => sink;
    this.accepted = !opts.gated;
    if (this.accepted) this.startSink();
    channel.binaryType = 'arraybuffer';
    const greet = () => channel.send(encodeFeedbackWord(0));
    if (channel.readyState === 'open') greet();
    else channel.addEventListener('open', greet, { once: true });
    channel.addEventListener('message', (ev: MessageEvent) => this.onMessage(ev.data));
    channel.addEventListener('close', () => this.finish());
  }

  /** The announced type, if passive (never `text/html` or SVG: see `passiveMime`). */
  setType(mime: string) {
    this.mime = passiveMime(mime);
  }

  /**
   * The announcement arrived (gated receivers): store up to `maxBytes` bytes from now on.
   * `closeIfEmpty`: for a zero-byte file, close the channel ourselves (a sender as the original,
   * see below; a Tincan sender sends its digest trailer and closes by itself).
   */
  accept(maxBytes: number, mime: string, closeIfEmpty = false) {
    this.setType(mime);
    this.limit = maxBytes;
    if (this.accepted || this.refused) return;
    this.accepted = true;
    this.startSink();
    // Zero bytes: no chunk will come, and an original sender closes the channel only on a
    // feedback word arriving after our ACK, while its reader misses our initial 0-word
    // (PROTOCOL.md 4.7): closing it here (the ACK went first) completes the file on both sides.
    if (maxBytes === 0 && closeIfEmpty) this.closeOnceGreeted();
  }

  private closeOnceGreeted() {
    if (this.channel.readyState === 'open') this.channel.close();
    else if (this.channel.readyState === 'connecting')
      this.channel.addEventListener('open', () => this.channel.close(), { once: true });
  }

  private startSink() {
    void Promise.resolve(this.openSink()).then((s) => {
      const sink: ReceiveSink = s ?? new HashingSink();
      this.sink = sink;
      if (this.refused) sink.discard();
      sink.ondrain = () => this.acknowledge();
      for (const bytes of this.early.splice(0)) this.store(bytes);
      this.acknowledge();
      if (this.finished) void this.complete();
    });
  }

  private refuse(reason: NonNullable<ReceivedFile['refused']>) {
    if (this.refused) return;
    console.warn('file: refusing channel', this.channel.id, reason);
    this.refused = reason;
    this.early = [];
    this.sink?.discard();
    this.channel.close();
    this.finish();
  }

  cancel() {
    this.channel.close();
  }

  private expected: string | undefined;

  private onMessage(data: unknown) {
    // Complete: nothing more is taken (bytes after it must not discard the stored file).
    if (this.finished) return;
    if (typeof data === 'string') {
      this.expected = decodeDigestTrailer(data) ?? this.expected;
      // The trailer follows the last chunk on this ordered channel: with every announced byte in,
      // the file is complete now, a round trip before the sender's close (which waits for our
      // last feedback word). A sender as the original sends no trailer and completes by closing.
      if (this.expected && this.accepted && !this.refused && this.bytes === this.limit)
        this.finish();
      return;
    }
    if (!(data instanceof ArrayBuffer) || this.refused) return;
    const n = data.byteLength;
    if (!this.accepted) return this.refuse('unannounced');
    if (this.bytes + n > this.limit) return this.refuse('overflow');
    this.bytes += n;
    this.unacked.push(n);
    if (this.sink) {
      this.store(data);
      this.acknowledge();
    } else this.early.push(data);
    this.meter.update(this.bytes);
  }

  private store(bytes: ArrayBuffer) {
    this.handed += bytes.byteLength;
    this.sink!.write(bytes);
  }

  /** Sends the feedback words of the chunks the sink has stored. */
  private acknowledge() {
    const stored = this.handed - (this.sink?.backlog ?? 0);
    while (this.unacked.length && this.ackedBytes + this.unacked[0]! <= stored) {
      const n = this.unacked.shift()!;
      this.ackedBytes += n;
      if (this.channel.readyState === 'open') this.channel.send(encodeFeedbackWord(n));
    }
  }

  private finished = false;
  private finish() {
    if (this.finished) return;
    this.finished = true;
    this.meter.update(this.bytes, true);
    if (this.sink || !this.accepted) void this.complete();
  }

  private async complete() {
    const sink = this.sink;
    if (this.refused || !this.accepted) {
      // Nothing stored (a sink opened meanwhile has discarded its bytes).
      const r: ReceivedFile = { blob: new Blob([]), bytes: this.bytes, sha256: '' };
      if (this.refused) r.refused = this.refused;
      return this.resolve(r);
    }
    if (!sink) return;
    try {
      const { blob, sha256 } = await sink.finish(this.mime);
      const r: ReceivedFile = { blob, bytes: this.bytes, sha256 };
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
