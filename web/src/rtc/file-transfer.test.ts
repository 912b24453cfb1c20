import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { HashingSink, type ReceiveSink } from './file-sinks';
import { BlockReader, digestBlob, FileReceiver, streamFile, WINDOW } from './file-transfer';
import { encodeFeedbackWord } from '../protocol';
import { referenceFileDigest } from './testing/file-digest';

/** Two ends of an in-memory data channel with SCTP-like ordering and bufferedAmount. */
class FakeChannel extends EventTarget {
  readyState: RTCDataChannelState = 'open';
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  peer!: FakeChannel;
  id = 7;
  label = 'file';
  sentBytes = 0;
  send(data: ArrayBuffer | ArrayBufferView | string) {
    if (this.readyState !== 'open') throw new Error('InvalidStateError');
    const copy =
      typeof data === 'string'
        ? data
        : data instanceof ArrayBuffer
          ? data.slice(0)
          : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    const n = typeof copy === 'string' ? copy.length : copy.byteLength;
    this.bufferedAmount += n;
    this.sentBytes += n;
    setTimeout(() => {
      this.bufferedAmount -= n;
      if (this.bufferedAmount <= this.bufferedAmountLowThreshold)
        this.dispatchEvent(new Event('bufferedamountlow'));
      if (this.peer.readyState !== 'open') return;
      const ev = new Event('message') as Event & { data: unknown };
      ev.data = copy;
      this.peer.dispatchEvent(ev);
    }, 0);
  }
  close() {
    if (this.readyState === 'closed') return;
    setTimeout(() => {
      for (const end of [this, this.peer]) {
        if (end.readyState !== 'closed') {
          end.readyState = 'closed';
          end.dispatchEvent(new Event('close'));
        }
      }
    }, 0);
    this.readyState = 'closing';
  }
}

function pair(): [RTCDataChannel, RTCDataChannel] {
  const a = new FakeChannel();
  const b = new FakeChannel();
  a.peer = b;
  b.peer = a;
  return [a as unknown as RTCDataChannel, b as unknown as RTCDataChannel];
}

const sha = referenceFileDigest;

/** The feedback words a sender's end receives, as they come. */
function feedbackWords(tx: RTCDataChannel): number[] {
  const words: number[] = [];
  tx.addEventListener('message', (ev) => {
    const v = new DataView((ev as MessageEvent).data as ArrayBuffer);
    for (let i = 0; i + 4 <= v.byteLength; i += 4) words.push(v.getUint32(i));
  });
  return words;
}

/** A receiver that stores nothing until `accept` (what the client makes for a peer's channel). */
const gatedReceiver = (rx: RTCDataChannel, sink: () => ReceiveSink = () => new HashingSink()) =>
  new FileReceiver(rx, () => {}, sink, { gated: true });

describe('file transfer over a channel pair', () => {
  it.each([
    ['zero bytes', 0, 65536],
    ['one byte', 1, 65536],
    ['exact chunks', 4 * 65536, 65536],
    ['5 MiB in 128 KiB chunks', 5 * 1024 * 1024 + 123, 262144],
  ])('delivers %s intact with a matching digest', async (_n, size, maxMsg) => {
    const data = new Uint8Array(randomBytes(size));
    const [tx, rx] = pair();
    const receiver = new FileReceiver(rx, () => {});
    const progress: number[] = [];
    const outcome = await streamFile(
      tx,
      new Blob([data]),
      maxMsg,
      (p) => progress.push(p.bytes),
      new AbortController().signal,
    );
    const got = await receiver.done;
    expect(outcome).toBe('complete');
    expect(got.bytes).toBe(size);
    expect(got.sha256).toBe(sha(data));
    expect(Buffer.compare(Buffer.from(await got.blob.arrayBuffer()), Buffer.from(data))).toBe(0);
    expect(await digestBlob(new Blob([data]))).toBe(sha(data));
    expect(progress.at(-1)).toBe(size);
  });

  it('keeps chunks that arrive before a slow sink opens, and hands the sink every buffer', async () => {
    const data = new Uint8Array(randomBytes(3 * 262144 + 5));
    const [tx, rx] = pair();
    const written: number[] = [];
    const inner = new HashingSink();
    let openSink!: (s: ReceiveSink) => void;
    const receiver = new FileReceiver(
      rx,
      () => {},
      new Promise<ReceiveSink>((r) => (openSink = r)),
    );
    const sent = streamFile(tx, new Blob([data]), 262144, () => {}, new AbortController().signal);
    await vi.waitFor(() => expect(receiver.bytes).toBe(data.length));
    openSink({
      write: (b) => {
        written.push(b.byteLength);
        inner.write(b);
      },
      finish: (mime) => inner.finish(mime),
      discard: () => inner.discard(),
    });
    expect(await sent).toBe('complete');
    const got = await receiver.done;
    expect(written).toEqual([262144, 262144, 262144, 5]);
    expect(got.sha256).toBe(sha(data));
    expect(got.bytes).toBe(data.length);
  });

  it('a gated receiver stores nothing and closes the channel on bytes before the announcement', async () => {
    const [tx, rx] = pair();
    let opened = 0;
    const receiver = gatedReceiver(rx, () => {
      opened++;
      return new HashingSink();
    });
    tx.send(new Uint8Array(1000));
    const got = await receiver.done;
    expect(got.refused).toBe('unannounced');
    expect(got.bytes).toBe(0);
    expect(opened).toBe(0); // no sink (no writer worker) for an unannounced channel
    await vi.waitFor(() => expect(tx.readyState).toBe('closed'));
  });

  it('a gated receiver takes the announced size and refuses bytes beyond it', async () => {
    const [tx, rx] = pair();
    let discarded = false;
    const inner = new HashingSink();
    const receiver = gatedReceiver(rx, () => ({
      write: (b) => inner.write(b),
      finish: (mime) => inner.finish(mime),
      discard: () => (discarded = true),
    }));
    receiver.accept(1500, 'text/plain');
    const outcome = streamFile(
      tx,
      new Blob([new Uint8Array(3000)]),
      1024,
      () => {},
      new AbortController().signal,
    );
    const got = await receiver.done;
    expect(got.refused).toBe('overflow');
    expect(got.bytes).toBeLessThanOrEqual(1500);
    expect(discarded).toBe(true);
    expect(await outcome).toBe('cancelled');
  });

  it('a gated receiver delivers an announced file as before', async () => {
    const data = new Uint8Array(randomBytes(5000));
    const [tx, rx] = pair();
    const receiver = gatedReceiver(rx);
    receiver.accept(data.length, 'text/plain');
    expect(
      await streamFile(tx, new Blob([data]), 1024, () => {}, new AbortController().signal),
    ).toBe('complete');
    const got = await receiver.done;
    expect(got.refused).toBeUndefined();
    expect(got.sha256).toBe(sha(data));
    expect(got.blob.type).toBe('text/plain');
  });

  it('completes on the digest trailer once every announced byte is in, before the close, and takes nothing after it', async () => {
    const data = new Uint8Array(randomBytes(5000));
    const [tx, rx] = pair();
    const receiver = gatedReceiver(rx);
    receiver.accept(data.length, 'application/octet-stream');
    // A sender that never closes: the trailer alone completes the file.
    tx.send(data.subarray(0, 3000));
    tx.send(data.subarray(3000));
    tx.send(JSON.stringify({ sha256Blocks: sha(data), blockSize: 262144 }));
    const got = await receiver.done;
    expect(rx.readyState).toBe('open');
    expect(got.bytes).toBe(data.length);
    expect(got.sha256).toBe(sha(data));
    expect(got.expectedSha256).toBe(sha(data));
    // Bytes after completion (a hostile sender) neither refuse nor discard the stored file.
    tx.send(new Uint8Array(10));
    await new Promise((r) => rx.addEventListener('message', r, { once: true }));
    expect(rx.readyState).toBe('open');
    expect(new Uint8Array(await got.blob.arrayBuffer())).toEqual(data);
  });

  it('a trailer before the last byte (or with no size known) does not complete the file', async () => {
    const [tx, rx] = pair();
    const receiver = gatedReceiver(rx);
    receiver.accept(100, 'application/octet-stream');
    let done = false;
    void receiver.done.then(() => (done = true));
    tx.send(new Uint8Array(50));
    tx.send(JSON.stringify({ sha256Blocks: sha(new Uint8Array(50)), blockSize: 262144 }));
    await new Promise((r) => rx.addEventListener('message', r, { once: true }));
    await new Promise((r) => rx.addEventListener('message', r, { once: true }));
    expect(done).toBe(false);
    tx.close();
    expect((await receiver.done).bytes).toBe(50);
  });

  it('completes a zero-byte file from an original sender by closing the channel itself', async () => {
    // The original sender reads feedback only after the ACK (missing the 0-word) and closes
    // the channel only when a word arrives: for zero bytes it never would (PROTOCOL.md 4.7).
    const [tx, rx] = pair();
    const receiver = gatedReceiver(rx);
    let closedAtSender = false;
    tx.addEventListener('close', () => (closedAtSender = true));
    receiver.accept(0, 'text/plain', true);
    const got = await receiver.done;
    expect(got.bytes).toBe(0);
    expect(got.refused).toBeUndefined();
    expect(got.sha256).toBe(sha(new Uint8Array(0)));
    expect(closedAtSender).toBe(true);
  });

  it('a sender reports a zero-byte file complete when the receiver closes the channel', async () => {
    const [tx] = pair();
    const outcome = streamFile(tx, new Blob([]), 65536, () => {}, new AbortController().signal, {
      trailer: true,
    });
    // The receiver's close arrives before the sender has finished its (empty) digest.
    const end = tx as unknown as FakeChannel;
    end.readyState = 'closed';
    end.dispatchEvent(new Event('close'));
    expect(await outcome).toBe('complete');
  });

  it('types a received file as announced only when passive (HTML would run from its blob URL)', async () => {
    for (const [announced, stored] of [
      ['text/html', 'application/octet-stream'],
      ['image/svg+xml', 'application/octet-stream'],
      ['image/png', 'image/png'],
    ]) {
      const [tx, rx] = pair();
      const receiver = gatedReceiver(rx);
      receiver.accept(3, announced!);
      await streamFile(tx, new Blob(['<b>']), 1024, () => {}, new AbortController().signal);
      expect((await receiver.done).blob.type).toBe(stored);
    }
  });

  it('sends the digest in-band after the data when asked, computed while sending', async () => {
    const data = new Uint8Array(randomBytes(300001));
    const [tx, rx] = pair();
    const receiver = new FileReceiver(rx, () => {});
    let senderDigest = '';
    await streamFile(tx, new Blob([data]), 65536, () => {}, new AbortController().signal, {
      trailer: true,
      onDigest: (h) => (senderDigest = h),
    });
    const got = await receiver.done;
    expect(senderDigest).toBe(sha(data));
    expect(got.expectedSha256).toBe(sha(data));
    expect(got.sha256).toBe(sha(data));
    expect(got.bytes).toBe(data.length);
  });

  it('sends from a reader the caller started before the channel opened (the file is read once)', async () => {
    const data = new Uint8Array(randomBytes(300001));
    const blob = new Blob([data]);
    const opened = vi.spyOn(blob, 'stream');
    const reader = new BlockReader(blob, 65536); // client.ts starts it before the announcement's ACK
    expect(opened).toHaveBeenCalledTimes(1);
    const [tx, rx] = pair();
    const receiver = new FileReceiver(rx, () => {});
    const outcome = streamFile(tx, blob, 65536, () => {}, new AbortController().signal, {}, reader);
    expect(await outcome).toBe('complete');
    expect(opened).toHaveBeenCalledTimes(1);
    const got = await receiver.done;
    expect(got.sha256).toBe(sha(data));
    expect(got.bytes).toBe(data.length);
  });

  it('without the trailer (original peers) the channel carries only binary chunks', async () => {
    const [tx, rx] = pair();
    const kinds = new Set<string>();
    rx.addEventListener('message', (ev) => kinds.add(typeof (ev as MessageEvent).data));
    const receiver = new FileReceiver(rx, () => {});
    await streamFile(
      tx,
      new Blob([new Uint8Array(1000)]),
      65536,
      () => {},
      new AbortController().signal,
    );
    expect((await receiver.done).expectedSha256).toBeUndefined();
    expect([...kinds]).toEqual(['object']);
  });

  it('never sends a message larger than the remote allows', async () => {
    const [tx, rx] = pair();
    const sizes: number[] = [];
    rx.addEventListener('message', (ev) =>
      sizes.push(((ev as MessageEvent).data as ArrayBuffer).byteLength),
    );
    new FileReceiver(rx, () => {});
    await streamFile(
      tx,
      new Blob([new Uint8Array(300000)]),
      65536,
      () => {},
      new AbortController().signal,
    );
    expect(Math.max(...sizes)).toBe(65536);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300000);
  });

  it('answers the initial 0-word and one big-endian word per chunk', async () => {
    const [tx, rx] = pair();
    const words = feedbackWords(tx);
    new FileReceiver(rx, () => {});
    tx.send(new Uint8Array(1000));
    tx.send(new Uint8Array(70000));
    await vi.waitFor(() => expect(words).toEqual([0, 1000, 70000]));
  });

  it('acknowledges a chunk only once its sink has stored it, one word per chunk in order', async () => {
    const [tx, rx] = pair();
    const words = feedbackWords(tx);
    // A sink whose writes wait for a disk (as the writer worker's): `store(n)` finishes n bytes.
    const inner = new HashingSink();
    const slow: ReceiveSink & { backlog: number; store(n: number): void } = {
      backlog: 0,
      ondrain: null,
      write(b) {
        this.backlog += b.byteLength;
        inner.write(b);
      },
      store(n) {
        this.backlog -= n;
        this.ondrain?.();
      },
      finish: (mime) => inner.finish(mime),
      discard: () => inner.discard(),
    };
    const receiver = new FileReceiver(rx, () => {}, slow);
    for (const n of [1000, 70000, 500]) tx.send(new Uint8Array(n));
    await vi.waitFor(() => expect(receiver.bytes).toBe(71500));
    await vi.waitFor(() => expect(words).toEqual([0]));
    slow.store(60000); // the first chunk and part of the second
    await vi.waitFor(() => expect(words).toEqual([0, 1000]));
    slow.store(11500);
    await vi.waitFor(() => expect(words).toEqual([0, 1000, 70000, 500]));
  });

  it('a sender keeps at most WINDOW bytes unacknowledged and goes on as words come', async () => {
    const [tx, rx] = pair();
    const size = 2 * WINDOW + 3 * 262144 + 17;
    // A receiver that answers nothing until WINDOW bytes are in unanswered (or all are in), then
    // acknowledges them all at once: a sender ignoring the window would send further meanwhile.
    let received = 0;
    let acked = 0;
    rx.addEventListener('message', (ev) => {
      received += ((ev as MessageEvent).data as ArrayBuffer).byteLength;
      if (received - acked >= WINDOW || received === size) {
        rx.send(encodeFeedbackWord(received - acked));
        acked = received;
      }
    });
    // What the sender has sent beyond the words it has been given, after each send.
    const sender = tx as unknown as FakeChannel;
    let ackedAtSender = 0;
    tx.addEventListener('message', (ev) => {
      ackedAtSender += new DataView((ev as MessageEvent).data as ArrayBuffer).getUint32(0);
    });
    let mostOutstanding = 0;
    const send = sender.send.bind(sender);
    sender.send = (data) => {
      send(data);
      mostOutstanding = Math.max(mostOutstanding, sender.sentBytes - ackedAtSender);
    };
    const outcome = await streamFile(
      tx,
      new Blob([new Uint8Array(size)]),
      262144,
      () => {},
      new AbortController().signal,
    );
    expect(outcome).toBe('complete');
    expect(received).toBe(size);
    expect(mostOutstanding).toBe(WINDOW);
  });

  it('a sender abort closes the channel and the receiver sees an incomplete file', async () => {
    const [tx, rx] = pair();
    const receiver = new FileReceiver(rx, () => {});
    const abort = new AbortController();
    const big = new Blob([new Uint8Array(32 * 1024 * 1024)]);
    // The sender is cancelled once the receiver has seen about a megabyte.
    rx.addEventListener('message', () => receiver.bytes > 1_000_000 && abort.abort());
    const sending = streamFile(tx, big, 65536, () => {}, abort.signal);
    expect(await sending).toBe('cancelled');
    const got = await receiver.done;
    expect(got.bytes).toBeLessThan(big.size);
  });

  it('a receiver cancel makes the sender report cancelled', async () => {
    const [tx, rx] = pair();
    const receiver = new FileReceiver(rx, () => {});
    rx.addEventListener('message', () => receiver.bytes > 500_000 && receiver.cancel());
    const outcome = await streamFile(
      tx,
      new Blob([new Uint8Array(16 * 1024 * 1024)]),
      65536,
      () => {},
      new AbortController().signal,
    );
    expect(outcome).toBe('cancelled');
  });
});

/** A Blob whose byte stream hands out at most `piece` bytes per read (as a pipe may). */
function trickleBlob(data: Uint8Array, piece: number, pulled = { bytes: 0 }): Blob {
  const blob = new Blob([data as Uint8Array<ArrayBuffer>]);
  let off = 0;
  Object.defineProperty(blob, 'stream', {
    value: () =>
      new ReadableStream({
        type: 'bytes',
        pull(c) {
          const req = c.byobRequest;
          if (!req?.view) return;
          if (off >= data.length) {
            c.close();
            req.respond(0);
            return;
          }
          const n = Math.min(piece, req.view.byteLength, data.length - off);
          new Uint8Array(req.view.buffer, req.view.byteOffset, n).set(data.subarray(off, off + n));
          off += n;
          pulled.bytes = off;
          req.respond(n);
        },
      }),
  });
  return blob;
}

describe('BlockReader', () => {
  const MiB = 1024 * 1024;

  it.each([
    ['a byte stream', (d: Uint8Array) => new Blob([d as Uint8Array<ArrayBuffer>])],
    ['a stream handing out 1000 bytes at a time', (d: Uint8Array) => trickleBlob(d, 1000)],
    [
      'no byte stream (slices)',
      (d: Uint8Array) => {
        const b = new Blob([d as Uint8Array<ArrayBuffer>]);
        Object.defineProperty(b, 'stream', { value: () => new ReadableStream() });
        return b;
      },
    ],
  ])('reads %s as one chunk, then whole 4 MiB blocks, in order', async (_n, make) => {
    const data = new Uint8Array(randomBytes(9 * MiB + 5));
    const reader = new BlockReader(make(data), 256 * 1024);
    const sizes: number[] = [];
    let off = 0;
    for (let b = await reader.next(); b; b = await reader.next()) {
      expect(Buffer.from(b).equals(Buffer.from(data.subarray(off, off + b.length)))).toBe(true);
      sizes.push(b.length);
      off += b.length;
    }
    reader.close();
    expect(off).toBe(data.length);
    expect(sizes).toEqual([256 * 1024, 4 * MiB, 4 * MiB, MiB - 256 * 1024 + 5]);
  });

  it('reads the first 4 MiB block as soon as the first chunk is in, before it is asked for', async () => {
    const data = new Uint8Array(randomBytes(9 * MiB));
    const pulled = { bytes: 0 };
    const reader = new BlockReader(trickleBlob(data, 64 * 1024, pulled), 256 * 1024);
    await vi.waitFor(() => expect(pulled.bytes).toBe(256 * 1024 + 4 * MiB));
    expect((await reader.next())?.length).toBe(256 * 1024);
    expect((await reader.next())?.length).toBe(4 * MiB);
    reader.close();
  });

  it('reads a zero-byte file as no blocks', async () => {
    const reader = new BlockReader(new Blob([]), 256 * 1024);
    expect(await reader.next()).toBeNull();
  });

  it('fails when the file turns out shorter than its size', async () => {
    const data = new Uint8Array(randomBytes(MiB));
    const blob = trickleBlob(data.subarray(0, 1000), 500);
    Object.defineProperty(blob, 'size', { value: MiB });
    const reader = new BlockReader(blob, 256 * 1024);
    await expect(reader.next()).rejects.toThrow(/ended before/);
  });
});
