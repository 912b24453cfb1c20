import { describe, expect, it, vi } from 'vitest';
import { MAX_PENDING_CANDIDATES, PeerSession } from './peer-session';
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

describe('PeerSession candidates', () => {
  it('queues a bounded number of candidates while no remote description exists', async () => {
    const pc = new FakePeerConnection();
    const added = vi.spyOn(pc, 'addIceCandidate');
    const s = session(pc);
    const cand = JSON.stringify({
      candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host',
      sdpMid: '0',
    });
    for (let i = 0; i < 5000; i++) void s.handleCandidate(cand);
    await s.handleCandidate(cand);
    const queued = (s as unknown as { pendingCandidates: unknown[] }).pendingCandidates;
    expect(queued).toHaveLength(MAX_PENDING_CANDIDATES);
    expect(added).not.toHaveBeenCalled();
  });
});
