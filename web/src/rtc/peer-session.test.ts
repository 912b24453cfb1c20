import { describe, expect, it, vi } from 'vitest';
import { PeerSession } from './peer-session';
import { FakePeerConnection } from './testing/fake-network';

function session(pc: FakePeerConnection) {
  return new PeerSession({
    remoteId: 'b',
    iceServers: [],
    localId: () => 'a',
    sendSignal: () => true,
    createPeerConnection: () => pc as unknown as RTCPeerConnection,
  });
}

describe('PeerSession.selectedPath', () => {
  it('reads the ICE transport where the browser has one, without getStats', async () => {
    const pc = new FakePeerConnection();
    const getSelectedCandidatePair = () => ({ local: { type: 'relay' }, remote: { type: 'host' } });
    Object.assign(pc, { sctp: { transport: { iceTransport: { getSelectedCandidatePair } } } });
    const stats = vi.spyOn(pc, 'getStats');
    expect(await session(pc).selectedPath()).toEqual({ local: 'relay', remote: 'host' });
    expect(stats).not.toHaveBeenCalled();
  });

  it('falls back to getStats, and names a type it does not know "unknown"', async () => {
    const pc = new FakePeerConnection();
    vi.spyOn(pc, 'getStats').mockResolvedValue(
      new Map<string, unknown>([
        ['t', { type: 'transport', selectedCandidatePairId: 'p' }],
        ['p', { type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r' }],
        ['l', { type: 'local-candidate', candidateType: 'srflx' }],
        ['r', { type: 'remote-candidate', candidateType: '<b>x</b>' }],
      ]),
    );
    expect(await session(pc).selectedPath()).toEqual({ local: 'srflx', remote: 'unknown' });
  });

  it('has no path before a pair is selected', async () => {
    const pc = new FakePeerConnection();
    Object.assign(pc, {
      sctp: { transport: { iceTransport: { getSelectedCandidatePair: () => null } } },
    });
    expect(await session(pc).selectedPath()).toBeNull();
  });
});
