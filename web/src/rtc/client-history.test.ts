// A TincanClient with IndexedDB (fake-indexeddb): what survives a reload of the page.
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { TincanClient } from './client';
import { startClient } from './testing/clients';
import { FakeHub } from './testing/fake-network';

const makeClient = (hub: FakeHub, name: string) => startClient(hub, name);

const peerNamed = (c: TincanClient, name: string) =>
  Object.values(c.store.getState().peers).find((p) => p.name === name);

describe('TincanClient history', () => {
  it('keeps unread counts and the preview across a reload', async () => {
    const hub = new FakeHub();
    const alice = makeClient(hub, 'alice-u');
    const bob = makeClient(hub, 'bob-u');
    await vi.waitFor(() => expect(peerNamed(bob, 'alice-u')).toBeDefined());
    await vi.waitFor(() => expect(peerNamed(alice, 'bob-u')).toBeDefined());
    const aliceId = peerNamed(bob, 'alice-u')!.nodeId;
    bob.selectPeer(aliceId);
    await vi.waitFor(() => expect(bob.store.getState().peers[aliceId]?.chatOpen).toBe(true));
    bob.sendText(aliceId, 'first');
    bob.sendText(aliceId, 'are you there?');
    await vi.waitFor(() => expect(peerNamed(alice, 'bob-u')?.unread).toBe(2));

    // The page goes (pagehide stops the client: pending writes are done then) and comes back.
    alice.stop();
    const again = makeClient(hub, 'alice-u');
    await vi.waitFor(() => expect(peerNamed(again, 'bob-u')?.unread).toBe(2));
    expect(peerNamed(again, 'bob-u')?.lastPreview).toBe('are you there?');

    // Reading it clears the count, also for the next reload.
    again.selectPeer(peerNamed(again, 'bob-u')!.nodeId);
    expect(peerNamed(again, 'bob-u')?.unread).toBe(0);
    again.stop();
    const third = makeClient(hub, 'alice-u');
    await vi.waitFor(() => expect(peerNamed(third, 'bob-u')?.lastPreview).toBe('are you there?'));
    expect(peerNamed(third, 'bob-u')?.unread).toBe(0);
  });

  it("keeps what was unread when the peer's page reloads (its conversation moves to the new id)", async () => {
    const hub = new FakeHub();
    const alice = makeClient(hub, 'alice-m');
    const bob = makeClient(hub, 'bob-m');
    await vi.waitFor(() => expect(peerNamed(bob, 'alice-m')).toBeDefined());
    const aliceId = peerNamed(bob, 'alice-m')!.nodeId;
    bob.selectPeer(aliceId);
    await vi.waitFor(() => expect(bob.store.getState().peers[aliceId]?.chatOpen).toBe(true));
    bob.sendText(aliceId, 'one');
    bob.sendText(aliceId, 'two');
    await vi.waitFor(() => expect(peerNamed(alice, 'bob-m')?.unread).toBe(2));
    const oldId = peerNamed(alice, 'bob-m')!.nodeId;

    bob.stop();
    makeClient(hub, 'bob-m');
    await vi.waitFor(() => {
      const p = peerNamed(alice, 'bob-m');
      expect(p?.nodeId).not.toBe(oldId);
      expect(p?.online).toBe(true);
    });
    const moved = peerNamed(alice, 'bob-m')!;
    expect(alice.store.getState().messages[moved.nodeId]?.map((m) => m.text)).toEqual([
      'one',
      'two',
    ]);
    expect(moved.unread).toBe(2);
    expect(moved.lastPreview).toBe('two');
  });
});
