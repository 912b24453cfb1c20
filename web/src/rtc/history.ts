import type { ChatItem, FileView } from './state';

const DB = 'tincan';
const STORE = 'history';
/** Key -> when the conversation was last written: the least recently written go first. */
const SAVED = 'saved';
export const MAX_KEPT = 500;
/**
 * Conversations kept: each is keyed by a peer name, so without a bound a peer that renames
 * itself between messages could fill the origin's storage.
 */
export const MAX_CONVERSATIONS = 200;

/** What survives a reload: text, authorship, ticks and file metadata (never file bytes). */
export type StoredItem = Omit<ChatItem, 'file' | 'trackId' | 'patch'> & {
  file?: Omit<FileView, 'url' | 'rate' | 'thumbnail'>;
};

export function toStored(items: readonly ChatItem[]): StoredItem[] {
  return items
    .filter((m) => !m.trackId)
    .slice(-MAX_KEPT)
    .map((m) => {
      const { file, trackId: _t, patch: _p, ...rest } = m;
      const out: StoredItem = { ...rest };
      if (rest.status === 'pending') out.status = 'failed';
      if (file) {
        const { url: _u, rate: _r, thumbnail: _th, ...f } = file;
        out.file = { ...f, status: f.status === 'complete' ? 'complete' : 'cancelled' };
      }
      return out;
    });
}

/**
 * What is kept of a conversation besides its messages: the unread count and the peer list's
 * preview, so a reload does not make anyone miss a message. Older records are a bare array.
 */
export interface ConversationMeta {
  unread: number;
  preview?: string;
}

interface StoredConversation extends Partial<ConversationMeta> {
  items: StoredItem[];
}

const MAX_PREVIEW = 200;

function readMeta(v: unknown): ConversationMeta {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const unread =
    typeof o.unread === 'number' && Number.isInteger(o.unread) && o.unread > 0
      ? Math.min(o.unread, 1_000_000)
      : 0;
  return typeof o.preview === 'string'
    ? { unread, preview: o.preview.slice(0, MAX_PREVIEW) }
    : { unread };
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
  private pending = new Map<string, () => void>();
  private lastSaved = 0;
  private constructor(
    private readonly db: IDBDatabase,
    private readonly maxConversations: number,
  ) {}

  static open(
    factory: IDBFactory | undefined = globalThis.indexedDB,
    maxConversations = MAX_CONVERSATIONS,
  ): Promise<HistoryStore | null> {
    if (!factory) return Promise.resolve(null);
    return new Promise((resolve) => {
      const req = factory.open(DB, 2);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
        if (db.objectStoreNames.contains(SAVED)) return;
        const saved = db.createObjectStore(SAVED);
        // Conversations from version 1 count as the oldest.
        const keys = req.transaction!.objectStore(STORE).getAllKeys();
        keys.onsuccess = () => {
          for (const k of keys.result) saved.put(0, k);
        };
      };
      req.onsuccess = () => resolve(new HistoryStore(req.result, maxConversations));
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
  }

  load(key: string): Promise<ChatItem[]> {
    return this.loadConversation(key).then((c) => c.items);
  }

  /** Messages, unread count and preview of one conversation (none: empty, 0). */
  loadConversation(key: string): Promise<{ items: ChatItem[] } & ConversationMeta> {
    return new Promise((resolve) => {
      const req = this.db.transaction(STORE, 'readonly').objectStore(STORE).get(key);
      req.onsuccess = () => {
        const v: unknown = req.result;
        if (Array.isArray(v)) return resolve({ items: fromStored(v as StoredItem[]), unread: 0 });
        const items = (v as Partial<StoredConversation> | undefined)?.items;
        resolve({ items: Array.isArray(items) ? fromStored(items) : [], ...readMeta(v) });
      };
      req.onerror = () => resolve({ items: [], unread: 0 });
    });
  }

  /** Debounced write of one conversation; a pending write is done at `close` (page hidden). */
  save(
    key: string,
    items: readonly ChatItem[],
    meta: ConversationMeta = { unread: 0 },
    delayMs = 500,
  ): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    const write = () => {
      this.timers.delete(key);
      this.pending.delete(key);
      void this.put(key, toStored(items), meta);
    };
    this.pending.set(key, write);
    this.timers.set(key, setTimeout(write, delayMs));
  }

  put(key: string, items: StoredItem[], meta: ConversationMeta = { unread: 0 }): Promise<void> {
    const record: StoredConversation = { items, ...meta };
    this.lastSaved = Math.max(Date.now(), this.lastSaved + 1);
    const savedAt = this.lastSaved;
    return new Promise((resolve) => {
      const tx = this.db.transaction([STORE, SAVED], 'readwrite');
      const store = tx.objectStore(STORE);
      const saved = tx.objectStore(SAVED);
      store.put(record, key);
      saved.put(savedAt, key);
      const count = saved.count();
      count.onsuccess = () => {
        if (count.result <= this.maxConversations) return;
        // Over the bound: the least recently written conversations go (keys and times only).
        const all: [IDBValidKey, number][] = [];
        const cursor = saved.openCursor();
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (c) {
            all.push([c.key, typeof c.value === 'number' ? c.value : 0]);
            c.continue();
            return;
          }
          all.sort((a, b) => a[1] - b[1]);
          for (const [k] of all.slice(0, all.length - this.maxConversations)) {
            store.delete(k);
            saved.delete(k);
          }
        };
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => resolve();
    });
  }

  /** Writes what is still pending (a reload right after a message), then closes. */
  close() {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const write of [...this.pending.values()]) write();
    this.db.close();
  }
}
