import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { HistoryStore, MAX_KEPT, toStored } from './history';
import type { ChatItem } from './state';

describe('HistoryStore', () => {
  it('keeps conversations across instances, without file bytes or local URLs', async () => {
    const items: ChatItem[] = [
      { id: '1', out: true, timestamp: 1, text: 'hi', status: 'delivered' },
      { id: '2', out: true, timestamp: 2, text: 'lost', status: 'pending' },
      {
        id: '3',
        out: false,
        timestamp: 3,
        file: {
          transferId: '3',
          name: 'a.bin',
          size: 5,
          type: '',
          category: 'file',
          bytes: 5,
          rate: 9,
          status: 'complete',
          url: 'blob:x',
          sha256: 'ab',
          verification: 'verified',
        },
      },
      { id: '4', out: false, timestamp: 4, trackId: 'track-1' },
    ];
    const a = await HistoryStore.open();
    expect(a).not.toBeNull();
    await a!.put('srv:bob', toStored(items));
    a!.close();
    const b = await HistoryStore.open();
    const got = await b!.load('srv:bob');
    expect(got.map((m) => m.id)).toEqual(['1', '2', '3']);
    expect(got[1]?.status).toBe('failed');
    expect(got[2]?.file?.url).toBeUndefined();
    expect(got[2]?.file?.verification).toBe('verified');
    expect(got.every((m) => m.restored)).toBe(true);
    expect(await b!.load('srv:nobody')).toEqual([]);
    b!.close();
  });

  it('restores texts and files in their original order', async () => {
    const file = (id: string): ChatItem => ({
      id,
      out: id === 'f2',
      timestamp: 100,
      file: {
        transferId: id,
        name: `${id}.bin`,
        size: 1,
        type: '',
        category: 'file',
        bytes: 1,
        rate: 0,
        status: 'complete',
      },
    });
    // Same timestamps on purpose: the order is the list's, never a re-sort.
    const items: ChatItem[] = [
      file('f1'),
      { id: 't1', out: true, timestamp: 100, text: 'a' },
      file('f2'),
      { id: 't2', out: false, timestamp: 99, text: 'b' },
      file('f3'),
    ];
    const h = await HistoryStore.open();
    await h!.put('srv:order', toStored(items));
    expect((await h!.load('srv:order')).map((m) => m.id)).toEqual(['f1', 't1', 'f2', 't2', 'f3']);
    h!.close();
  });

  it('keeps the unread count and preview with the messages; reads the older bare arrays', async () => {
    const h = await HistoryStore.open();
    const items: ChatItem[] = [{ id: 'm', out: false, timestamp: 1, text: 'hello' }];
    await h!.put('srv:meta', toStored(items), { unread: 3, preview: 'hello' });
    expect(await h!.loadConversation('srv:meta')).toMatchObject({ unread: 3, preview: 'hello' });
    // What earlier versions wrote: the list alone.
    await new Promise<void>((resolve) => {
      const db = (h as unknown as { db: IDBDatabase }).db;
      const tx = db.transaction('history', 'readwrite');
      tx.objectStore('history').put(toStored(items), 'srv:old');
      tx.oncomplete = () => resolve();
    });
    const old = await h!.loadConversation('srv:old');
    expect(old.unread).toBe(0);
    expect(old.items.map((m) => m.id)).toEqual(['m']);
    h!.close();
  });

  it('writes a pending save when closed (the page went right after a message)', async () => {
    const a = await HistoryStore.open();
    const items: ChatItem[] = [{ id: 'late', out: false, timestamp: 1, text: 'just now' }];
    a!.save('srv:late', items, { unread: 1 }, 60_000);
    a!.close();
    const b = await HistoryStore.open();
    await vi.waitFor(async () =>
      expect(await b!.loadConversation('srv:late')).toMatchObject({ unread: 1 }),
    );
    b!.close();
  });

  it('bounds what it keeps', () => {
    const many = Array.from({ length: MAX_KEPT + 10 }, (_, i) => ({
      id: String(i),
      out: true,
      timestamp: i,
      text: 'x',
    }));
    const kept = toStored(many);
    expect(kept).toHaveLength(MAX_KEPT);
    expect(kept[0]?.id).toBe('10');
  });
});

describe('HistoryStore bound', () => {
  it('keeps the most recently written conversations only', async () => {
    indexedDB.deleteDatabase('tincan');
    const h = (await HistoryStore.open(indexedDB, 3))!;
    const one = toStored([{ id: '1', out: true, timestamp: 1, text: 'x', status: 'delivered' }]);
    for (const name of ['a', 'b', 'c', 'd']) await h.put(`srv:${name}`, one);
    await h.put('srv:b', one); // written again: now the newest
    await h.put('srv:e', one);
    const kept = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map(async (n) => (await h.load(`srv:${n}`)).length),
    );
    expect(kept).toEqual([0, 1, 0, 1, 1]);
    h.close();
  });
});
