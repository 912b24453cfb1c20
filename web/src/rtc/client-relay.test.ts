import { describe, expect, it, vi } from 'vitest';
import type { ServerEntry } from '../protocol';
import { TincanClient } from './client';
import { startClient, testServer } from './testing/clients';
import { FakeHub, FakePeerConnection } from './testing/fake-network';

const server: ServerEntry = { ...testServer, iceServers: ['stun:stun.example:3478'] };

const grant = {
  iceServers: [{ urls: ['turn:relay.example:3478'], username: '9999999999:t', credential: 'c' }],
  ttl: 3600,
};

/** A client whose every RTCPeerConnection is kept in `pcs`. */
function client(hub: FakeHub, name: string, relayOnly: boolean) {
  const pcs: FakePeerConnection[] = [];
  const c = startClient(hub, name, {
    server,
    relayOnly,
    createPeerConnection: (config) => {
      const pc = new FakePeerConnection(config);
      pcs.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
  });
  return { c, pcs };
}

async function connect(from: TincanClient, to: string) {
  const id = () => Object.values(from.store.getState().peers).find((p) => p.name === to)?.nodeId;
  await vi.waitFor(() => expect(id()).toBeDefined());
  from.selectPeer(id()!);
  await vi.waitFor(() => expect(from.store.getState().peers[id()!]?.chatOpen).toBe(true));
}

describe('TURN relay', () => {
  it('relay-only connections use the credentials from the server and the relay policy', async () => {
    const hub = new FakeHub();
    hub.turn = grant;
    const alice = client(hub, 'alice', true);
    const bob = client(hub, 'bob', false);
    await vi.waitFor(() => expect(alice.c.store.getState().relayAvailable).toBe(true));
    await connect(alice.c, 'bob');
    const pc = alice.pcs[0]!;
    expect(pc.config.iceTransportPolicy).toBe('relay');
    expect(pc.config.iceServers).toEqual([
      { urls: ['stun:stun.example:3478'] },
      ...grant.iceServers,
    ]);
    // Bob did not ask for relay-only: his side may connect directly, with the relay available.
    await vi.waitFor(() => expect(bob.pcs).toHaveLength(1));
    expect(bob.pcs[0]!.config.iceTransportPolicy).toBe('all');
    expect(bob.pcs[0]!.config.iceServers).toContainEqual(grant.iceServers[0]);

    // Turning it off applies to the live connection at once (ICE restarts under the new policy).
    alice.c.setRelayOnly(false);
    expect(pc.config.iceTransportPolicy).toBe('all');
    expect(pc.restarts).toBe(1);
  });

  it('without a relay on the server, relay-only is not applied (nobody would be reachable)', async () => {
    const hub = new FakeHub();
    const alice = client(hub, 'alice', true);
    client(hub, 'bob', false);
    await connect(alice.c, 'bob');
    expect(alice.c.store.getState().relayAvailable).toBe(false);
    expect(alice.pcs[0]!.config.iceTransportPolicy).toBe('all');
    expect(alice.pcs[0]!.config.iceServers).toEqual([{ urls: ['stun:stun.example:3478'] }]);
  });
});
