import { afterEach, describe, expect, it, vi } from 'vitest';
import { GLARE_FALLBACK_MS, MAX_PENDING_CANDIDATES, PeerSession } from './peer-session';
import { FakePeerConnection } from './testing/fake-network';
import type { SignalEnvelope } from '../protocol';

function session(
  pc: FakePeerConnection,
  more: { sent?: SignalEnvelope[]; remoteHandlesGlare?: () => boolean } = {},
) {
  return new PeerSession({
    remoteId: 'b',
    iceServers: [],
    localId: () => 'a',
    sendSignal: (env) => (more.sent?.push(env), true),
    createPeerConnection: () => pc as unknown as RTCPeerConnection,
    ...(more.remoteHandlesGlare ? { remoteHandlesGlare: more.remoteHandlesGlare } : {}),
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

describe('PeerSession glare with a peer that does not resolve it', () => {
  const offerFrom = (sdp: string) => JSON.stringify({ type: 'offer', sdp });
  const sentTypes = (sent: SignalEnvelope[]) =>
    sent.flatMap((e) => (e.sdp_offer ? [e.sdp_offer.type] : []));

  async function glare(remoteHandlesGlare: () => boolean) {
    vi.useFakeTimers();
    const pc = new FakePeerConnection();
    const sent: SignalEnvelope[] = [];
    // 'a' < 'b': by node ids alone this side would be the polite one.
    const s = session(pc, { sent, remoteHandlesGlare });
    pc.createDataChannel('chat');
    await vi.advanceTimersByTimeAsync(0); // negotiationneeded: our offer goes out
    expect(pc.signalingState).toBe('have-local-offer');
    const applied = vi.spyOn(pc, 'setRemoteDescription');
    await s.handleDescription(offerFrom('fake:their-offer'));
    return { pc, s, sent, applied };
  }

  afterEach(() => vi.useRealTimers());

  it('keeps its own offer, which an original client in a browser answers', async () => {
    const { pc, s, sent, applied } = await glare(() => false);
    expect(s.polite).toBe(false);
    expect(applied).not.toHaveBeenCalled();
    await s.handleDescription(JSON.stringify({ type: 'answer', sdp: 'fake:their-answer' }));
    await vi.advanceTimersByTimeAsync(GLARE_FALLBACK_MS * 2);
    expect(applied).toHaveBeenCalledTimes(1);
    expect(applied.mock.calls[0]![0].type).toBe('answer');
    expect(pc.signalingState).toBe('stable');
    expect(sentTypes(sent)).toEqual(['offer']);
  });

  it("takes the peer's offer when its stack never answers ours", async () => {
    const { pc, sent, applied } = await glare(() => false);
    await vi.advanceTimersByTimeAsync(GLARE_FALLBACK_MS - 100);
    expect(applied).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(applied).toHaveBeenCalledWith({ type: 'offer', sdp: 'fake:their-offer' });
    expect(pc.signalingState).toBe('stable');
    expect(sentTypes(sent)).toEqual(['offer', 'answer']);
  });

  it('between two Tincan apps, the smaller node id rolls back at once', async () => {
    const { s, sent, applied } = await glare(() => true);
    expect(s.polite).toBe(true);
    expect(applied).toHaveBeenCalledWith({ type: 'offer', sdp: 'fake:their-offer' });
    expect(sentTypes(sent)).toEqual(['offer', 'answer']);
  });
});
