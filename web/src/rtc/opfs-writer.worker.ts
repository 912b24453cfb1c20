/**
 * Dedicated worker of one incoming file: writes the bytes to the origin private
 * file system through a synchronous access handle (a direct file write: no Blob per part and no
 * round trip through the browser process per write, which the main thread's async writable
 * needs). The main thread batches chunks into a few reused buffers and transfers each one here;
 * it goes back once written. (Buffers left to this worker's garbage collector piled up: a
 * 256 MiB file grew the renderer by 240 MiB.)
 */

export type WriterRequest =
  | { kind: 'open'; dir: string; name: string }
  /** `length` bytes at the start of `bytes`; `bytes` comes back in a `buffer` reply. */
  | { kind: 'data'; bytes: ArrayBuffer; length: number }
  | { kind: 'finish' }
  | { kind: 'discard' };

export type WriterReply =
  | { kind: 'ready' }
  | { kind: 'buffer'; bytes: ArrayBuffer }
  | { kind: 'done'; bytes: number }
  | { kind: 'error'; message: string };

/** The parts of FileSystemSyncAccessHandle used here (worker-only API, not in the DOM lib). */
interface SyncAccess {
  write(buffer: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}

let access: SyncAccess | null = null;
let offset = 0;
let dir: FileSystemDirectoryHandle | null = null;
let name = '';
// Requests run strictly in order; `open` is asynchronous, later ones wait for it.
let chain: Promise<void> = Promise.resolve();
let failed = false;

const reply = (r: WriterReply, transfer: Transferable[] = []) => postMessage(r, { transfer });

async function handle(req: WriterRequest): Promise<void> {
  if (failed) {
    if (req.kind !== 'data') reply({ kind: 'error', message: 'an earlier write failed' });
    return;
  }
  switch (req.kind) {
    case 'open': {
      const root = await navigator.storage.getDirectory();
      dir = await root.getDirectoryHandle(req.dir, { create: true });
      name = req.name;
      const file = await dir.getFileHandle(name, { create: true });
      access = await (
        file as FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccess> }
      ).createSyncAccessHandle();
      reply({ kind: 'ready' });
      return;
    }
    case 'data': {
      const bytes = new Uint8Array(req.bytes, 0, req.length);
      let at = 0;
      while (at < bytes.length) at += access!.write(bytes.subarray(at), { at: offset + at });
      offset += bytes.length;
      reply({ kind: 'buffer', bytes: req.bytes }, [req.bytes]);
      return;
    }
    case 'finish':
      // No flush() (an fsync of the whole file): the file is read back at once through the page
      // cache, and one left half-written by a crash is swept at the next page load anyway.
      // Waiting for the disk would only delay "complete" (seconds for a large file).
      access!.close();
      access = null;
      reply({ kind: 'done', bytes: offset });
      return;
    case 'discard':
      access?.close();
      access = null;
      await dir?.removeEntry(name).catch(() => {});
      reply({ kind: 'done', bytes: 0 });
      return;
  }
}

onmessage = (ev: MessageEvent<WriterRequest>) => {
  chain = chain
    .then(() => handle(ev.data))
    .catch((e: unknown) => {
      failed = true;
      try {
        access?.close();
      } catch {
        /* already closed */
      }
      reply({ kind: 'error', message: String(e) });
    });
};
