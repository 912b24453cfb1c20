import { describe, expect, it, vi } from 'vitest';
import type { TincanClient } from './client';
import { startClient } from './testing/clients';
import { FakeHub } from './testing/fake-network';

const idOf = (c: TincanClient, name: string) =>
  Object.values(c.store.getState().peers).find((p) => p.name === name)?.nodeId ?? '';

/** The transceivers of `from`'s connection to `peer`. */
function transceivers(from: TincanClient, peer: string) {
  const links = (from as unknown as { links: Map<string, { session: { pc: RTCPeerConnection } }> })
    .links;
  return links
    .get(peer)!
    .session.pc.getTransceivers()
    .map((t) => ({ kind: t.receiver.track.kind, direction: t.direction }));
}

/**
 * Alice opens a chat with Bob; `bob` says how the server lists Bob (as /conns does for an
 * original client, a bot, or a Tincan app).
 */
async function aliceCallsBob(bob: { features?: boolean; bot?: boolean }) {
  const hub = new FakeHub();
  if (bob.bot) hub.identities.set('bob', { authentication: 'jwt', is_bot: true });
  if (bob.features === false) hub.originals.add('bob');
  const alice = startClient(hub, 'alice');
  startClient(hub, 'bob');
  await vi.waitFor(() => expect(idOf(alice, 'bob')).not.toBe(''));
  const bobId = idOf(alice, 'bob');
  alice.selectPeer(bobId);
  await vi.waitFor(() => expect(alice.store.getState().peers[bobId]?.chatOpen).toBe(true));
  return transceivers(alice, bobId);
}

describe('large socket buffers between Tincan apps', () => {
  it('offers a receive-only video m-line to a Tincan app (its buffers; no media)', async () => {
    expect(await aliceCallsBob({})).toEqual([{ kind: 'video', direction: 'recvonly' }]);
  });

  it("keeps the original's data-only offer towards an original client", async () => {
    expect(await aliceCallsBob({ features: false })).toEqual([]);
  });

  it("keeps the original's data-only offer towards a bot, whatever it announces", async () => {
    expect(await aliceCallsBob({ bot: true })).toEqual([]);
  });
});
