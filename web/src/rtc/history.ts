import type { ChatItem, FileView } from './state';

const DB = 'tincan';
const STORE = 'history';
export const MAX_KEPT = 500;

/** What survives a reload: text, authorship, ticks and file metadata (never file bytes). */
export type StoredItem = Omit<ChatItem, 'file' | 'trackId'> & {
  file?: Omit<FileView, 'url' | 'rate' | 'thumbnail'>;
};

export function toStored(items: readonly ChatItem[]): StoredItem[] {
  return items
    .filter((m) => !m.trackId)
    .slice(-MAX_KEPT)
    .map((m) => {
      const { file, trackId: _t, ...rest } = m;
      const out: StoredItem = { ...rest };
      if (rest.status === 'pending') out.status = 'failed';
      if (file) {
        const { url: _u, rate: _r, thumbnail: _th, ...f } = file;
        out.file = { ...f, status: f.status === 'complete' ? 'complete' : 'cancelled' };
      }
      return out;
    });
}

export function fromStored(items: StoredItem[]): ChatItem[] {
  return items.map((m): ChatItem => {
    const { file, ...rest } = m;
    return file
      ? { ...rest, restored: true, file: { ...file, rate: 0 } }
      : { ...rest, restored: true };
  });
}

/**
 * Message history per conversation in IndexedDB, keyed by server and peer name. Node ids change
 * on every connection, so the name is the only key that survives a reload; names are not
 * identities, which is why restored messages are marked as such in the UI.
 */
export class HistoryStore {
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private constructor(private readonly db: IDBDatabase) {}

  static open(
    factory: IDBFactory | undefined = globalThis.indexedDB,
  ): Promise<HistoryStore | null> {
    if (!factory) return Promise.resolve(null);
    return new Promise((resolve) => {
      const req = factory.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(new HistoryStore(req.result));
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
  }

  load(key: string): Promise<ChatItem[]> {
    return new Promise((resolve) => {
      const req = this.db.transaction(STORE, 'readonly').objectStore(STORE).get(key);
      req.onsuccess = () =>
        resolve(Array.isArray(req.result) ? fromStored(req.result as StoredItem[]) : []);
      req.onerror = () => resolve([]);
    });
  }

  /** Debounced write of one conversation. */
  save(key: string, items: readonly ChatItem[], delayMs = 500): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.put(key, toStored(items));
      }, delayMs),
    );
  }

  put(key: string, items: StoredItem[]): Promise<void> {
    return new Promise((resolve) => {
      const tx = this.db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(items, key);
      tx.oncomplete = () => resolve();
      tx.onerror = () => resolve();
    });
  }

  close() {
    for (const t of this.timers.values()) clearTimeout(t);
    this.db.close();
  }
}
