import { decodeCandidate, decodeSessionDescription, type SignalEnvelope } from '../protocol';
import { backoffDelay } from './backoff';
import { Emitter, type RtcError } from './emitter';

export interface PeerSessionEvents {
  state: RTCPeerConnectionState;
  /** Every data channel of this connection, created here or by the remote. */
  channel: { channel: RTCDataChannel; local: boolean };
  track: RTCTrackEvent;
  error: RtcError;
  /** Both descriptions are set but ICE never started: this connection must be rebuilt. */
  stalled: undefined;
}

export interface PeerSessionOptions {
  remoteId: string;
  iceServers: RTCIceServer[];
  /** 'relay': only TURN relay candidates (the peer never learns our addresses). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * The ICE servers and policy as they are now (TURN credentials expire, the relay-only choice
   * can change): applied before every ICE restart.
   */
  currentIce?: () => { iceServers: RTCIceServer[]; iceTransportPolicy: RTCIceTransportPolicy };
  /** Our current node id (changes when signalling reconnects). */
  localId: () => string | null;
  /**
   * Whether the remote resolves glare itself (perfect negotiation: another Tincan web app).
   * Others do not (PROTOCOL.md 4.10): an original client in a browser takes a colliding offer by
   * implicitly rolling back its own and answers it, a bot's stack refuses it. Towards them this
   * side keeps its own offer (impolite), and takes theirs only if no answer came within
   * GLARE_FALLBACK_MS. Default: true.
   */
  remoteHandlesGlare?: () => boolean;
  /** Hands a frame to signalling; false while signalling is down. */
  sendSignal: (env: SignalEnvelope) => boolean;
  maxIceRestarts?: number;
  /** The page's DTLS certificate (the same for every peer, see client.ts `identity`). */
  certificate?: RTCCertificate | null;
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
}

/**
 * Whether an SDP's DTLS fingerprint equals `announced` ("sha-256 AB:CD:…", as `dtlsFingerprint`
 * writes it). Only the holder of that certificate's key can complete DTLS on such a connection.
 */
export function sdpHasFingerprint(sdp: string | undefined, announced: string): boolean {
  const want = announced.trim().toLowerCase();
  if (!sdp || !/^[a-z0-9-]+ [0-9a-f]{2}(:[0-9a-f]{2})+$/.test(want)) return false;
  const found = [...sdp.matchAll(/^a=fingerprint:(\S+) (\S+)\s*$/gim)].map((m) =>
    `${m[1]} ${m[2]}`.toLowerCase(),
  );
  return found.length > 0 && found.every((f) => f === want);
}

/** A certificate's fingerprint as announced at registration ("sha-256 AB:CD:…"), or null. */
export function dtlsFingerprint(cert: RTCCertificate): string | null {
  const fp = cert.getFingerprints?.().find((f) => f.algorithm === 'sha-256') ?? null;
  return fp?.value ? `sha-256 ${fp.value.toUpperCase()}` : null;
}

/**
 * Remote candidates kept while no remote description exists (a browser gathers a handful; a
 * peer whose offer failed could otherwise queue candidates for as long as it stays connected).
 */
export const MAX_PENDING_CANDIDATES = 100;

/**
 * How long our offer may stay unanswered after glare with a peer that does not resolve glare
 * before this side takes the peer's offer instead (an answer over the server takes milliseconds).
 */
export const GLARE_FALLBACK_MS = 2500;

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay' | 'unknown';

function candidateType(t: string | null | undefined): CandidateType {
  return t === 'host' || t === 'srflx' || t === 'prflx' || t === 'relay' ? t : 'unknown';
}

/**
 * One RTCPeerConnection to one remote peer, negotiated with the "perfect negotiation" pattern:
 * the polite side (smaller node id) rolls back its own offer on glare, the impolite one ignores
 * the colliding offer. Towards a peer without perfect negotiation this side is impolite, with a
 * fallback to the peer's offer when it never answers ours. Signalling input is processed strictly in order; remote candidates wait
 * until a remote description exists. ICE failure triggers a bounded number of ICE restarts
 * with backoff.
 */
export class PeerSession extends Emitter<PeerSessionEvents> {
  readonly pc: RTCPeerConnection;
  private _remoteId: string;
  private makingOffer = false;
  private ignoreOffer = false;
  private queue: Promise<void> = Promise.resolve();
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private restarts = 0;
  /** A user's retry (see `retry`) was made since the connection was last connected. */
  private retried = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(private readonly opts: PeerSessionOptions) {
    super();
    this._remoteId = opts.remoteId;
    const config: RTCConfiguration = { iceServers: opts.iceServers };
    if (opts.iceTransportPolicy) config.iceTransportPolicy = opts.iceTransportPolicy;
    if (opts.certificate) config.certificates = [opts.certificate];
    this.pc = (opts.createPeerConnection ?? ((c) => new RTCPeerConnection(c)))(config);
    this.pc.onnegotiationneeded = () => void this.negotiate();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) {
        this.sawLocalCandidate = true;
        this.signal({ ice_offer: this.wrap(JSON.stringify(candidate.toJSON())) });
      }
      console.debug(
        'peer: local candidate',
        candidate?.candidate.slice(0, 40) ?? 'end',
        candidate?.usernameFragment,
      );
    };
    this.pc.ondatachannel = ({ channel }) => this.emit('channel', { channel, local: false });
    this.pc.ontrack = (ev) => this.emit('track', ev);
    this.pc.onconnectionstatechange = () => {
      console.debug(
        'peer: state',
        this.pc.connectionState,
        'ice',
        this.pc.iceConnectionState,
        'sig',
        this.pc.signalingState,
      );
      this.emit('state', this.pc.connectionState);
    };
    this.pc.oniceconnectionstatechange = () => this.onIceState();
  }

  /**
   * Polite = the smaller node id, so both sides compute the same answer. Never polite towards a
   * peer that does not resolve glare (see `remoteHandlesGlare`).
   */
  get polite(): boolean {
    if (!this.handlesGlare) return false;
    const me = this.opts.localId() ?? '';
    return me < this.remoteId;
  }

  get remoteId(): string {
    return this._remoteId;
  }

  /** The remote re-registered under a new node id (verified by the caller). */
  retarget(remoteId: string): void {
    this._remoteId = remoteId;
  }

  get state(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  createChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    const channel = this.pc.createDataChannel(label, init);
    this.emit('channel', { channel, local: true });
    return channel;
  }

  /**
   * Adds a receive-only video m-line (a renegotiation) to enlarge the connection's UDP socket
   * buffers. Chromium leaves a data-only connection's socket at 64 KiB for receiving (128 KiB in
   * the kernel), a few milliseconds of a fast file transfer: any pause of the browser's network
   * thread drops datagrams and SCTP halves its window. A video channel sets the bundled
   * transport's receive buffer to 1 MiB and its send buffer to 256 KiB (the kernel doubles both),
   * which the data channels on the same bundle share, for the rest of the connection. No media
   * flows: the answer is `inactive`, and incoming video is ignored. The caller asks only towards
   * Tincan web apps (original clients and bots keep the original's SDP) and for large files
   * (docs/web.md "Socket buffers").
   */
  requestLargeSocketBuffers(): void {
    if (typeof this.pc.addTransceiver !== 'function') return;
    if (this.pc.getTransceivers().some((t) => t.receiver.track.kind === 'video')) return;
    this.pc.addTransceiver('video', { direction: 'recvonly' });
  }

  /** Handles a relayed `sdp_offer` (already addressed to us and from this peer). */
  handleDescription(offerJson: string): Promise<void> {
    return this.enqueue(async () => {
      const r = decodeSessionDescription(offerJson);
      if (!r.ok) {
        this.emit('error', { code: 'bad_signal', message: r.error.message, peer: this.remoteId });
        return;
      }
      const desc = r.value;
      console.debug(
        'peer: remote',
        desc.type,
        'state',
        this.pc.signalingState,
        'makingOffer',
        this.makingOffer,
        'polite',
        this.polite,
      );
      const collision =
        desc.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) {
        if (!this.handlesGlare) this.armGlareFallback(desc);
        return;
      }
      await this.apply(desc); // rolls back our own offer when polite
    });
  }

  private get handlesGlare(): boolean {
    return this.opts.remoteHandlesGlare?.() ?? true;
  }

  private async apply(desc: RTCSessionDescriptionInit) {
    if (desc.type === 'answer') this.clearGlareFallback();
    await this.pc.setRemoteDescription(desc);
    for (const c of this.pendingCandidates.splice(0)) await this.addCandidate(c);
    if (desc.type === 'offer') {
      await this.pc.setLocalDescription();
      this.sendDescription();
    }
    this.watchGathering();
  }

  /**
   * Glare with a peer that does not resolve it: its offer was ignored, ours stands. If the peer
   * cannot take ours (a stack without implicit rollback refuses an offer in `have-local-offer`),
   * no answer ever comes: then take its offer after all, rolling ours back.
   */
  private glareTimer: ReturnType<typeof setTimeout> | null = null;
  private armGlareFallback(theirs: RTCSessionDescriptionInit) {
    this.clearGlareFallback();
    const ours = this.pc.localDescription?.sdp;
    this.glareTimer = setTimeout(() => {
      this.glareTimer = null;
      void this.enqueue(async () => {
        const pc = this.pc;
        if (pc.signalingState !== 'have-local-offer' || pc.localDescription?.sdp !== ours) return;
        console.warn('peer: no answer to our offer after glare; taking theirs', this.remoteId);
        this.ignoreOffer = false;
        await this.apply(theirs);
      });
    }, GLARE_FALLBACK_MS);
  }

  private clearGlareFallback() {
    if (this.glareTimer) clearTimeout(this.glareTimer);
    this.glareTimer = null;
  }

  /** Handles a relayed `ice_offer`; queued until a remote description exists. */
  handleCandidate(offerJson: string): Promise<void> {
    return this.enqueue(async () => {
      const r = decodeCandidate(offerJson);
      if (!r.ok) {
        this.emit('error', { code: 'bad_signal', message: r.error.message, peer: this.remoteId });
        return;
      }
      console.debug(
        'peer: remote candidate',
        r.value.usernameFragment,
        this.pc.remoteDescription ? 'apply' : 'queue',
      );
      if (this.pc.remoteDescription) await this.addCandidate(r.value);
      else if (this.pendingCandidates.length < MAX_PENDING_CANDIDATES)
        this.pendingCandidates.push(r.value);
    });
  }

  /**
   * Candidate types of the selected pair. Read from the ICE transport where the browser has
   * RTCIceTransport (cheap, synchronous); else from getStats, which Chromium answers on the
   * network thread that also moves this connection's data.
   */
  async selectedPath(): Promise<{ local: CandidateType; remote: CandidateType } | null> {
    if (this.closed) return null;
    const ice = this.pc.sctp?.transport?.iceTransport;
    if (ice && typeof ice.getSelectedCandidatePair === 'function') {
      const pair = ice.getSelectedCandidatePair();
      return pair
        ? { local: candidateType(pair.local?.type), remote: candidateType(pair.remote?.type) }
        : null;
    }
    const stats = await this.pc.getStats();
    let pair: RTCIceCandidatePairStats | undefined;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId)
        pair = stats.get(s.selectedCandidatePairId);
    });
    if (!pair) {
      stats.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
      });
    }
    if (!pair) return null;
    const kind = (id: string) =>
      candidateType((stats.get(id) as { candidateType?: string } | undefined)?.candidateType);
    return { local: kind(pair.localCandidateId), remote: kind(pair.remoteCandidateId) };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.clearGlareFallback();
    this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.ondatachannel = null;
    this.pc.ontrack = this.pc.oniceconnectionstatechange = null;
    this.pc.close();
    this.emit('state', 'closed');
    this.pc.onconnectionstatechange = null;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (e) {
        this.emit('error', { code: 'negotiation_failed', message: String(e), peer: this.remoteId });
      }
    });
    return this.queue;
  }

  private async negotiate() {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      console.debug(
        'peer: negotiated local',
        this.pc.localDescription?.type,
        this.pc.signalingState,
      );
      this.sendDescription();
    } catch (e) {
      this.emit('error', { code: 'negotiation_failed', message: String(e), peer: this.remoteId });
    } finally {
      this.makingOffer = false;
    }
  }

  /**
   * Chromium sometimes never starts ICE for an answer made right after an implicit rollback of
   * its own offer (glare on the polite side): the connection stays `new` forever, and even
   * restartIce() does not revive it. If both descriptions are set and ICE has not started after
   * 3 s and not a single local candidate was gathered (host candidates normally appear within
   * milliseconds), report the connection as stalled so that it is rebuilt.
   */
  private gatherTimer: ReturnType<typeof setTimeout> | null = null;
  private sawLocalCandidate = false;
  private watchGathering() {
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = setTimeout(() => {
      this.gatherTimer = null;
      const pc = this.pc;
      if (this.closed || pc.signalingState !== 'stable') return;
      if (!this.sawLocalCandidate && pc.connectionState === 'new') {
        console.warn('peer: ICE never started', pc.iceGatheringState, this.remoteId);
        this.emit('stalled', undefined);
      }
    }, 3000);
  }

  private async addCandidate(c: RTCIceCandidateInit) {
    try {
      await this.pc.addIceCandidate(c);
    } catch (e) {
      console.debug('peer: candidate refused', this.ignoreOffer, String(e));
    }
  }

  private sendDescription() {
    const d = this.pc.localDescription;
    if (!d || (d.type !== 'offer' && d.type !== 'answer')) return;
    this.signal({
      sdp_offer: { type: d.type, ...this.wrap(JSON.stringify({ type: d.type, sdp: d.sdp })) },
    });
  }

  private wrap(offerJson: string) {
    return {
      offer_json: offerJson,
      from_node_id: this.opts.localId() ?? '',
      to_node_id: this.remoteId,
    };
  }

  private signal(env: SignalEnvelope) {
    if (!this.closed && !this.opts.sendSignal(env)) {
      console.warn('peer: signalling down, dropped', Object.keys(env)[0], this.remoteId);
    }
  }

  private onIceState() {
    const s = this.pc.iceConnectionState;
    if (s === 'connected' || s === 'completed') {
      this.restarts = 0;
      this.retried = false;
      return;
    }
    if (s !== 'failed' || this.restartTimer) return;
    if (this.restarts >= (this.opts.maxIceRestarts ?? 3)) {
      this.emit('error', {
        code: 'ice_failed',
        message: 'ICE failed after restarts',
        peer: this.remoteId,
      });
      return;
    }
    const delay = backoffDelay(this.restarts++, 1000, 8000);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.closed && this.pc.iceConnectionState === 'failed') this.restartIce();
    }, delay);
  }

  /**
   * A new attempt on a connection whose ICE failed after its restarts (the user opened the
   * conversation again): the restarts start over on this connection. False if there is nothing
   * ICE can fix (closed, or failed otherwise), or if such an attempt failed already since the
   * connection was last connected (the peer may have dropped its end: a Tincan app whose link
   * closed answers with a new connection, which this one cannot take): then only a new
   * connection helps.
   */
  retry(): boolean {
    if (this.closed || this.pc.iceConnectionState !== 'failed' || this.retried) return false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.restarts = 0;
    this.retried = true;
    this.restartIce();
    return true;
  }

  /** Gathers anew with the current ICE servers and policy (fresh TURN credentials). */
  restartIce(): void {
    if (this.closed) return;
    const ice = this.opts.currentIce?.();
    if (ice) {
      try {
        this.pc.setConfiguration({ ...this.pc.getConfiguration(), ...ice });
      } catch (e) {
        console.warn('peer: could not apply the ICE configuration', e);
      }
    }
    this.pc.restartIce();
  }
}
