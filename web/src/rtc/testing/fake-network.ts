// In-process fakes for tests of the RTC core: a signalling hub that behaves like tincan-server
// (server-assigned ids, from_node_id filled in, only sdp/ice relayed) and RTCPeerConnections
// whose data channels connect directly. Test-only; never bundled (nothing in src imports it).
import { decodeSignal, encodeSignal, type SignalEnvelope } from '../../protocol';

let nextId = 0;

export class FakeHub {
  readonly sockets = new Map<string, FakeSocket>();
  names = new Map<string, string>();
  attributes = new Map<string, Record<string, string>>();

  connect(url: string): WebSocket {
    const s = new FakeSocket(this, url);
    return s as unknown as WebSocket;
  }

  /** What the server knows about a node name: how it signed in, whether it is a bot. */
  identities = new Map<string, { authentication: string; is_bot?: boolean; username?: string }>();
  /** `/profile?username=` answers by username (404 for others). */
  profiles = new Map<string, Record<string, unknown>>();
  profileRequests: string[] = [];
  /** Node names listed without `tincan_features`, as an original client registers. */
  originals = new Set<string>();
  /** The answer of `/ice-servers` (TURN credentials); 404 while unset. */
  turn: unknown = undefined;

  fetch: typeof fetch = async (input) => {
    const url = new URL(String(input));
    if (url.pathname.endsWith('/ice-servers'))
      return this.turn === undefined
        ? new Response('{"err":"no TURN relay is configured"}', { status: 404 })
        : new Response(JSON.stringify(this.turn), { status: 200 });
    if (url.pathname.endsWith('/profile')) {
      const name = url.searchParams.get('username') ?? '';
      this.profileRequests.push(name);
      const p = this.profiles.get(name);
      return p
        ? new Response(JSON.stringify(p), { status: 200 })
        : new Response('{"err":"User is not found"}', { status: 404 });
    }
    if (!url.pathname.endsWith('/conns')) return new Response('not found', { status: 404 });
    const body: Record<string, unknown> = {};
    for (const [id, s] of this.sockets) {
      // As the server (PROTOCOL.md 1.5): a connection not registered yet is listed too, without
      // a name or registration time.
      if (!s.registered) {
        body[id] = { connected_at: 1, authentication: '' };
        continue;
      }
      const name = this.names.get(id) ?? '';
      const attributes = { ...this.attributes.get(id) };
      if (this.originals.has(name)) delete attributes.tincan_features;
      body[id] = {
        node_name: name,
        connected_at: 1,
        registered_at: 1,
        attributes,
        authentication: 'none',
        ...this.identities.get(name),
      };
    }
    return new Response(JSON.stringify(body), { status: 200 });
  };

  handle(from: FakeSocket, text: string) {
    const r = decodeSignal(text);
    if (!r.ok) return;
    const env = r.value;
    if (env.register) {
      from.registered = true;
      this.names.set(from.id, env.register.node_name || `user${from.id}`);
      this.broadcast({ online: { node_id: from.id } });
      from.deliver({ node_id: from.id, register: { node_name: this.names.get(from.id) ?? '' } });
    }
    if (env.attributes_announcement?.attributes) {
      this.attributes.set(from.id, {
        ...this.attributes.get(from.id),
        ...env.attributes_announcement.attributes,
      });
    }
    if (env.echo?.direction === 'ping')
      from.deliver({ node_id: from.id, echo: { ...env.echo, direction: 'pong' } });
    if (env.sdp_offer)
      this.sockets
        .get(env.sdp_offer.to_node_id)
        ?.deliver({ sdp_offer: { ...env.sdp_offer, from_node_id: from.id } });
    if (env.ice_offer)
      this.sockets
        .get(env.ice_offer.to_node_id)
        ?.deliver({ ice_offer: { ...env.ice_offer, from_node_id: from.id } });
  }

  broadcast(env: SignalEnvelope) {
    for (const s of this.sockets.values()) if (s.registered) s.deliver(env);
  }

  drop(id: string) {
    const s = this.sockets.get(id);
    if (!s) return;
    this.sockets.delete(id);
    s.readyState = 3;
    s.onclose?.();
    if (s.registered) this.broadcast({ offline: { node_id: id } });
  }
}

export class FakeSocket {
  readonly id = `n${String(++nextId).padStart(4, '0')}`;
  readyState = 0;
  registered = false;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(
    private readonly hub: FakeHub,
    readonly url: string,
  ) {
    hub.sockets.set(this.id, this);
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }
  send(text: string) {
    queueMicrotask(() => this.hub.handle(this, text));
  }
  deliver(env: SignalEnvelope) {
    queueMicrotask(() => this.readyState === 1 && this.onmessage?.({ data: encodeSignal(env) }));
  }
  close() {
    this.hub.drop(this.id);
  }
}

const pcs = new Map<string, FakePeerConnection>();

export class FakeChannel extends EventTarget {
  readyState: RTCDataChannelState = 'connecting';
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  peer: FakeChannel | null = null;
  constructor(
    readonly label: string,
    readonly id: number,
  ) {
    super();
  }
  open() {
    if (this.readyState !== 'connecting') return; // closed before it opened
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }
  send(data: unknown) {
    if (this.readyState !== 'open') throw new Error('InvalidStateError');
    const copy = data instanceof Uint8Array ? data.slice().buffer : data;
    const peer = this.peer;
    setTimeout(() => {
      if (peer?.readyState !== 'open') return;
      const ev = new Event('message') as Event & { data: unknown };
      ev.data = copy;
      peer.dispatchEvent(ev);
    }, 0);
  }
  close() {
    for (const c of [this, this.peer]) {
      if (c && c.readyState !== 'closed') {
        c.readyState = 'closed';
        setTimeout(() => c.dispatchEvent(new Event('close')), 0);
      }
    }
  }
}

/** A certificate with a random SHA-256 fingerprint (what `getFingerprints` returns). */
export function fakeCertificate(): RTCCertificate {
  const value = [...crypto.getRandomValues(new Uint8Array(32))]
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join(':');
  return {
    expires: Date.now() + 86_400_000,
    getFingerprints: () => [{ algorithm: 'sha-256', value }],
  } as RTCCertificate;
}

/**
 * Just enough of RTCPeerConnection: descriptions name the fake (first line) and carry the
 * configured certificate's fingerprint as real SDP does; channels pair up directly.
 */
export class FakePeerConnection {
  readonly fakeId = `pc${++nextId}`;
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((ev: { candidate: null }) => void) | null = null;
  ondatachannel: ((ev: { channel: FakeChannel }) => void) | null = null;
  ontrack: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  readonly sctp = { maxMessageSize: 262144 };
  private remote: FakePeerConnection | null = null;
  private channels: FakeChannel[] = [];
  private nextStream = 0;

  private readonly fingerprint: string;

  /** The configuration as created and as changed by setConfiguration. */
  config: RTCConfiguration;
  restarts = 0;

  constructor(config: RTCConfiguration = {}) {
    this.config = config;
    pcs.set(this.fakeId, this);
    const fp = config.certificates?.[0]?.getFingerprints()[0];
    this.fingerprint = fp ? `\r\na=fingerprint:${fp.algorithm} ${fp.value}` : '';
  }

  createDataChannel(label: string): FakeChannel {
    const ch = new FakeChannel(label, (this.nextStream += 2));
    this.channels.push(ch);
    if (this.remote && this.connectionState === 'connected') this.pair(ch);
    else if (this.channels.length === 1) setTimeout(() => this.onnegotiationneeded?.(), 0);
    return ch;
  }

  async setLocalDescription(): Promise<void> {
    const type = this.signalingState === 'have-remote-offer' ? 'answer' : 'offer';
    this.localDescription = { type, sdp: `fake:${this.fakeId}${this.fingerprint}` };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    if (type === 'answer') this.connect();
  }

  async setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    this.remoteDescription = d;
    this.remote = pcs.get((d.sdp ?? '').split('\r\n')[0]!.replace('fake:', '')) ?? null;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    if (d.type === 'answer') this.connect();
  }

  /** Transceivers added by the app (no media flows between fakes). */
  private transceivers: { kind: string; direction: RTCRtpTransceiverDirection }[] = [];
  addTransceiver(kind: string, init?: RTCRtpTransceiverInit) {
    const t = { kind, direction: init?.direction ?? 'sendrecv', receiver: { track: { kind } } };
    this.transceivers.push(t);
    return t;
  }
  getTransceivers() {
    return this.transceivers;
  }

  async addIceCandidate(): Promise<void> {}
  restartIce() {
    this.restarts++;
  }
  getConfiguration(): RTCConfiguration {
    return this.config;
  }
  setConfiguration(c: RTCConfiguration) {
    this.config = c;
  }
  async getStats(): Promise<Map<string, unknown>> {
    return new Map();
  }

  close() {
    this.connectionState = 'closed';
    for (const c of this.channels) c.close();
  }

  private connect() {
    if (this.connectionState === 'connected') return;
    this.connectionState = 'connected';
    this.iceConnectionState = 'connected';
    setTimeout(() => {
      this.onconnectionstatechange?.();
      this.oniceconnectionstatechange?.();
      for (const ch of this.channels) if (!ch.peer) this.pair(ch);
    }, 0);
  }

  private pair(ch: FakeChannel) {
    const remote = this.remote;
    if (!remote) return;
    const other = new FakeChannel(ch.label, ch.id);
    ch.peer = other;
    other.peer = ch;
    remote.channels.push(other);
    setTimeout(() => {
      remote.ondatachannel?.({ channel: other });
      ch.open();
      other.open();
    }, 0);
  }
}
