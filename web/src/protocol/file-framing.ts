/**
 * The file channel's feedback stream (PROTOCOL.md 4.7): 32-bit unsigned big-endian words, each
 * the byte count of one chunk the receiver got, re-assembled across message boundaries.
 */
export function encodeFeedbackWord(n: number): ArrayBuffer {
  const buf = new ArrayBuffer(4);
  new DataView(buf).setUint32(0, n >>> 0);
  return buf;
}

export class FeedbackReader {
  private carry = new Uint8Array(0);
  private total = 0;

  /** Feeds one received message; returns the words completed by it. */
  push(data: ArrayBuffer | Uint8Array): number[] {
    const incoming = data instanceof Uint8Array ? data : new Uint8Array(data);
    const bytes = new Uint8Array(this.carry.length + incoming.length);
    bytes.set(this.carry);
    bytes.set(incoming, this.carry.length);
    const words: number[] = [];
    const view = new DataView(bytes.buffer);
    let i = 0;
    for (; i + 4 <= bytes.length; i += 4) {
      const w = view.getUint32(i);
      words.push(w);
      this.total += w;
    }
    this.carry = bytes.slice(i);
    return words;
  }

  /** Sum of all words so far: the bytes the receiver acknowledged. */
  get acknowledged(): number {
    return this.total;
  }
}

/** The original sends 128 KiB chunks; larger ones cost fewer messages and feedback words. */
export const ORIGINAL_CHUNK = 128 * 1024;
/** Our largest chunk (Chromium's max message size); capped by the remote's max message size. */
export const MAX_CHUNK = 256 * 1024;
/** What webrtcbin (the bots) accepts at most, and the SCTP default without max-message-size. */
export const SAFE_CHUNK = 64 * 1024;

export function chunkSize(remoteMaxMessageSize: number | null | undefined): number {
  const max = remoteMaxMessageSize && remoteMaxMessageSize > 0 ? remoteMaxMessageSize : SAFE_CHUNK;
  return Math.max(1024, Math.min(MAX_CHUNK, max));
}

/** Byte ranges [start, end) covering `size` bytes in chunks of at most `chunk`. */
export function* chunkRanges(size: number, chunk: number): Generator<[number, number]> {
  for (let start = 0; start < size; start += chunk) yield [start, Math.min(size, start + chunk)];
}
