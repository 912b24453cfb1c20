/**
 * SHA-256 off the main thread for the file sender: blocks arrive transferred after they were
 * sent, are hashed, and go back (a buffer left to this worker's garbage collector lingers, see
 * opfs-writer.worker.ts).
 */
import { Sha256Stream } from './digest';

export type HashRequest = { kind: 'data'; bytes: ArrayBuffer } | { kind: 'finish' };
export type HashReply =
  | { kind: 'buffer'; bytes: ArrayBuffer }
  | { kind: 'digest'; hex: string }
  | { kind: 'error'; message: string };

const hasher = new Sha256Stream();
let chain: Promise<void> = Promise.resolve();

onmessage = (ev: MessageEvent<HashRequest>) => {
  const req = ev.data;
  if (req.kind === 'data') {
    hasher.update(new Uint8Array(req.bytes));
    postMessage({ kind: 'buffer', bytes: req.bytes } satisfies HashReply, {
      transfer: [req.bytes],
    });
    return;
  }
  chain = chain.then(async () => {
    try {
      postMessage({ kind: 'digest', hex: await hasher.hex() } satisfies HashReply);
    } catch (e) {
      postMessage({ kind: 'error', message: String(e) } satisfies HashReply);
    }
  });
};
