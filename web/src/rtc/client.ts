import {
  applyPatches,
  chunkSize,
  ORIGINAL_CHUNK,
  cleanName,
  colorIndex,
  decodeChatMessage,
  decodeConns,
  decodePatch,
  foldPatch,
  isSignedIn,
  sanitizeFileName,
  toPlainText,
  type ChatMessage,
  type ConnEntry,
  type FileCategory,
  type PatchOrder,
  type ServerEntry,
  type SignalEnvelope,
} from '../protocol';
import { ackableRefused, ChannelSet, parseIncoming, RateLimit } from './chat-link';
import { Emitter, type RtcError } from './emitter';
import {
  DIGEST_FEATURE,
  BlockReader,
  FileReceiver,
  streamFile,
  waitOpen,
  type Progress,
  type ReceivedFile,
} from './file-transfer';
import { HashingSink, OpfsSink, openDiskSink } from './file-sinks';
import { HistoryStore } from './history';
import { ProgressBoard } from './progress-board';
import { Pulse } from './pulse';
import { makeThumbnail, TrackRegistry } from './media';
import {
  dtlsFingerprint,
  MAX_PENDING_CANDIDATES,
  PeerSession,
  sdpHasFingerprint,
} from './peer-session';
import { ProfileDirectory } from './profiles';
import { SignallingClient } from './signalling-client';
import { fetchTurnGrant, type TurnGrant } from './turn';
import {
  FILE_PREVIEW_MARKS,
  initialState,
  pushHistory,
  type AppState,
  type ChatItem,
  type FileView,
  type PeerView,
} from './state';
import { Store } from './store';

export interface ClientOptions {
  server: ServerEntry;
  name: string;
  colorIndex?: number;
  /** The page origin, used for relative `url` and `apiPrefix` values. */
  origin: string;
  fetchImpl?: typeof fetch;
  ackTimeoutMs?: number;
  maxAttempts?: number;
  /**
   * Frames a peer may send on its chat, ping and msgpatch channels (average per second, burst);
   * more are dropped unread. Default 2 000/s with bursts of 20 000.
   */
  peerRate?: { perSecond: number; burst: number };
  /** Stream received files to the origin private file system (default) or keep Blob parts. */
  receiveToDisk?: boolean;
  /** Files from this size on get large socket buffers first (default LARGE_FILE). */
  largeFile?: number;
  /** Connect to peers only through the server's TURN relay, where it offers one. */
  relayOnly?: boolean;
  /** Connections still negotiating at once (default 16); further offers are not answered. */
  maxNegotiating?: number;
  /** Test seams: in-process fakes instead of the browser's WebSocket and RTCPeerConnection. */
  createSocket?: (url: string) => WebSocket;
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  /** The page's DTLS certificate; default: a fresh ECDSA P-256 one where the browser has the API. */
  generateCertificate?: () => Promise<RTCCertificate>;
}

export interface ClientEvents {
  /** A new message from a peer (for notifications). */
  incoming: { peer: string; name: string; preview: string };
  error: RtcError;
}

/** First `seq` of the acceptor's own pings (see createLink). */
const ACCEPTOR_PING_SEQ_BASE = 1_000_000_000;

/**
 * A message waiting for its ACK. It is sent again only when the channel that carried it closed
 * before the ACK (an open `chat` channel is reliable and ordered: a resend would only make
 * peers without duplicate detection, such as the original bots, act on it twice).
 */
interface Outgoing {
  msg: ChatMessage;
  /** The channel the message was last handed to. */
  via: RTCDataChannel | null;
  /** Checks left before the message shows as not delivered (each `ackTimeoutMs`). */
  checksLeft: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** Settles the send: delivered on the ACK, not delivered after the last check. */
  done: (delivered: boolean) => void;
}

interface IncomingFile {
  receiver: FileReceiver;
  itemId?: string;
  result?: ReceivedFile;
}

interface PeerLink {
  /** The remote node id; changes when the peer re-registers (see rekey). */
  id: string;
  session: PeerSession;
  chat: ChannelSet;
  ping: ChannelSet;
  /** The `ping` channels this side made (the initiator's own). */
  ownPing: Set<RTCDataChannel>;
  pingSeq: number;
  pingSent: Map<number, number>;
  pingTimer: ReturnType<typeof setInterval> | null;
  outbox: Map<string, Outgoing>;
  seen: Set<string>;
  incomingFiles: Map<string, IncomingFile>;
  /**
   * msgpatch orders for this peer's messages not received yet, folded into one per id, and ids
   * of its messages received without text, waiting for orders. Per peer (bounded each): one peer
   * flooding them cannot push out another's, nor patch another's messages.
   */
  patches: Map<string, PatchOrder>;
  bodiless: Set<string>;
  /**
   * Naming received audio by MusicBot's "Now playing: <name>" (its only word on what plays,
   * PROTOCOL.md 5.1, 5.4), which arrives just before or just after the new track.
   */
  nowPlaying: { name: string; at: number } | null;
  lastTrack: { itemId: string; at: number; named: boolean } | null;
  /** Frames from this peer (chat, ping, msgpatch) beyond it are dropped unread. */
  rate: RateLimit;
  /** Files being sent to this peer, and files waiting for a slot (see fileSlot). */
  filesSending: number;
  fileSlots: (() => void)[];
  announced: Map<string, string>;
  /**
   * Stream ids of file channels closed for being over MAX_INCOMING_FILES (bounded): their
   * announcements show the file failed instead of waiting for bytes that never come.
   */
  refusedFiles: Set<string>;
  sending: Map<string, AbortController>;
  watchdog: ReturnType<typeof setTimeout> | null;
}

/** What our text messages tell a bot we take in its replies (ChatBot streams to these). */
const REPLY_FEATURES = 'msgpatch-stream';

/**
 * Announced in `tincan_features`: this client resolves glare itself (perfect negotiation). Towards
 * peers that do not announce it, it is always the polite side (PeerSession `remoteHandlesGlare`).
 */
const GLARE_FEATURE = 'perfect-negotiation';

/** Failed messages per peer kept to take a late ACK. */
const UNCONFIRMED_KEPT = 200;

/** A link that has not opened its chat channel by then is rebuilt (bounded). */
const CONNECT_TIMEOUT = 15000;
const MAX_CONNECT_TRIES = 3;

const PING_INTERVAL = 1000;
/** Frames per second a peer may send (chat, ping, msgpatch) on average, and in a burst. */
const PEER_RATE = 2000;
const PEER_BURST = 20000;
/** MusicBot's reply to a successful `/play` (PROTOCOL.md 5.1). */
const NOW_PLAYING = /^Now playing: (.{1,120})$/;
/** How far apart "Now playing" and its track may arrive to be matched. */
const TRACK_NAME_WINDOW_MS = 10_000;
/** Connections without an open chat channel at once; offers beyond them are not answered. */
const MAX_NEGOTIATING = 16;
/** Incoming file channels open at once per peer; more are closed (each may hold a writer). */
export const MAX_INCOMING_FILES = 64;
/** Files sent to one peer at once; more wait their turn. */
export const MAX_OUTGOING_FILES = 8;
/**
 * From this size on, a file to a Tincan app first gets its connection large socket buffers
 * (PeerSession.requestLargeSocketBuffers, a renegotiation): they make long transfers about half
 * as fast again, but the first seconds of any transfer on them sometimes stall for a second
 * (docs/benchmarks.md), which a small file would feel.
 */
export const LARGE_FILE = 64 * 1024 * 1024;
const MAX_PENDING_PATCH_IDS = 200;
/** How long candidates that came before their offer are kept. */
const EARLY_CANDIDATE_MS = 10_000;

/**
 * The WebSocket and API addresses of a servers.json entry, as the original takes them (PROTOCOL.md
 * 1.7, 7.9): a `url` that is not ws(s):// is a path on the page's origin (a leading slash added
 * where it has none); `apiPrefix` is a reference against the page, served at the root (the
 * original fetches `${apiPrefix}/conns`), so "api" is /api and "//host/api" another host.
 */
export function resolveUrls(server: ServerEntry, origin: string): { ws: string; api: string } {
  const path = server.url.startsWith('/') ? server.url : `/${server.url}`;
  const ws = /^wss?:\/\//.test(server.url) ? server.url : origin.replace(/^http/, 'ws') + path;
  let api: string;
  try {
    api = new URL(server.apiPrefix, `${origin}/`).href;
  } catch {
    api = origin + server.apiPrefix;
  }
  return { ws, api: api.replace(/\/$/, '') };
}

/**
 * The RTC core of the app: one signalling client, one PeerSession per remote peer, the chat,
 * ping, file and msgpatch channels, and the app state store. No React here: components read
 * `store` and call the command methods.
 */
export class TincanClient extends Emitter<ClientEvents> {
  readonly store: Store<AppState>;
  readonly tracks = new TrackRegistry();
  /** Live figures (progress, RTT samples) reach the UI once a second, together (pulse.ts). */
  private readonly pulse = new Pulse();
  /** Live transfer progress (bytes, rate) by `FileView.transferId`, outside the message list. */
  readonly progress = new ProgressBoard(this.pulse);
  /** RTT samples waiting for the pulse, by peer ('' = the server's echo). */
  private readonly rttSamples = new Map<string, number[]>();
  private readonly signalling: SignallingClient;
  private readonly links = new Map<string, PeerLink>();
  private readonly urls: { ws: string; api: string };
  private readonly profiles: ProfileDirectory;
  /** Our own account's username (or node name) as `/conns` last named it. */
  private ownAccount = '';
  private lastNodeId: string | null = null;
  private started = false;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** TURN credentials from our server (turn.ts), renewed at half their lifetime. */
  private turn: TurnGrant | null = null;
  private turnTimer: ReturnType<typeof setTimeout> | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private history: HistoryStore | null = null;
  private savedLists = new Map<string, ChatItem[]>();
  private savedUnread = new Map<string, number>();
  /**
   * Messages from peers `/conns` has not listed yet: a caller's offer and first messages can
   * beat the refresh its `online` started. Taken into its entry when it is listed.
   */
  private readonly unlisted = new Map<
    string,
    { unread: number; lastActivity: number; lastPreview: string }
  >();
  /** Candidates of peers whose offer has not arrived yet (see keepEarlyCandidate). */
  private readonly earlyCandidates = new Map<string, { at: number; list: string[] }>();
  private certificate: RTCCertificate | null = null;
  private fingerprint: string | null = null;
  private unsubscribeHistory: (() => void) | null = null;
  /** See setReadingNewest. */
  private readingNewest = true;
  private documentHidden = () =>
    typeof document !== 'undefined' && document.visibilityState === 'hidden';

  constructor(private readonly opts: ClientOptions) {
    super();
    this.store = new Store({
      ...initialState(opts.name, opts.colorIndex),
      relayOnly: opts.relayOnly ?? false,
    });
    this.urls = resolveUrls(opts.server, opts.origin);
    this.profiles = new ProfileDirectory({
      api: this.urls.api,
      ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
      onChange: (name) => this.applyProfile(name),
    });
    this.signalling = new SignallingClient({
      url: this.urls.ws,
      hello: () => this.hello(),
      ...(opts.createSocket ? { createSocket: opts.createSocket } : {}),
    });
    this.signalling.on('status', (status) => this.store.update((s) => ({ ...s, status })));
    this.signalling.on('registered', ({ nodeId, name }) => {
      this.lastNodeId = nodeId;
      this.store.update((s) => ({ ...s, nodeId, name: cleanName(name) }));
      this.scheduleRefresh(0);
    });
    this.signalling.on('rtt', (rtt) => this.sampleRtt('', rtt));
    this.signalling.on('message', (env) => this.onSignal(env));
    this.signalling.on('error', (e) => this.emit('error', e));
  }

  /** Base URL of the HTTP API (the server's apiPrefix resolved against the page origin). */
  get apiBase(): string {
    return this.urls.api;
  }

  get iceServers(): RTCIceServer[] {
    const urls = this.opts.server.iceServers.filter((u) => typeof u === 'string' && u.length > 0);
    const servers: RTCIceServer[] = urls.length ? [{ urls }] : [];
    if (this.turn && this.turn.expiresAt > Date.now()) servers.push(...this.turn.servers);
    return servers;
  }

  /**
   * ICE servers and policy for a connection: relay-only when the user asked for it and the
   * server offers a relay (without one, relay-only could reach nobody; the Preferences dialog
   * says so).
   */
  iceConfig(): { iceServers: RTCIceServer[]; iceTransportPolicy: RTCIceTransportPolicy } {
    const s = this.store.getState();
    return {
      iceServers: this.iceServers,
      iceTransportPolicy: s.relayOnly && s.relayAvailable ? 'relay' : 'all',
    };
  }

  /** Relay-only on or off; live connections gather again under the new policy. */
  setRelayOnly(on: boolean): void {
    if (this.store.getState().relayOnly === on) return;
    this.store.update((s) => ({ ...s, relayOnly: on }));
    for (const link of this.links.values()) link.session.restartIce();
  }

  /** Fetches (and keeps renewing) TURN credentials; resolves once the first answer is in. */
  private async renewTurn(): Promise<void> {
    if (this.turnTimer) clearTimeout(this.turnTimer);
    this.turnTimer = null;
    const grant = await fetchTurnGrant(this.urls.api, this.opts.fetchImpl);
    if (!this.started) return;
    if (grant) this.turn = grant;
    const available = !!this.turn && this.turn.expiresAt > Date.now();
    if (this.store.getState().relayAvailable !== available)
      this.store.update((s) => ({ ...s, relayAvailable: available }));
    // No relay at all (an original server, or none configured): nothing to renew.
    if (!this.turn) return;
    const delay = grant ? Math.max(30_000, grant.ttlMs / 2) : 60_000;
    this.turnTimer = setTimeout(() => void this.renewTurn(), delay);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void OpfsSink.sweep();
    // Registration announces the certificate's fingerprint: it waits for the certificate. With
    // relay-only chosen it also waits for the relay's credentials, so no connection is ever made
    // without them.
    const turn = this.renewTurn();
    const ready = this.opts.relayOnly ? Promise.all([this.identity(), turn]) : this.identity();
    void ready.finally(() => {
      if (this.started) this.signalling.start();
    });
    this.statsTimer = setInterval(() => void this.pollStats(), 2000);
    void HistoryStore.open().then((h) => {
      if (!this.started) return h?.close();
      this.history = h;
      this.unsubscribeHistory = this.store.subscribe(() => this.saveHistory());
      for (const p of Object.values(this.store.getState().peers))
        void this.restoreHistory(p.nodeId);
    });
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.signalling.stop();
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.turnTimer) clearTimeout(this.turnTimer);
    this.turnTimer = null;
    this.pulse.stop();
    this.rttSamples.clear();
    this.earlyCandidates.clear();
    for (const id of [...this.links.keys()]) this.dropLink(id);
    this.tracks.clear();
    // The last changes (store notifications wait for a microtask) are written at close.
    this.saveHistory();
    this.unsubscribeHistory?.();
    this.unsubscribeHistory = null;
    this.history?.close();
    this.history = null;
  }

  /** Reconnect signalling immediately (e.g. the browser came back online). */
  reconnectNow(): void {
    this.signalling.kick();
  }

  // ---- commands -------------------------------------------------------------------------

  /** Opens (or focuses) the conversation with a peer; starts a connection when there is none. */
  selectPeer(peer: string | null): void {
    this.readingNewest = true; // until the conversation's list says where it opened
    this.store.update((s) => {
      const next = { ...s, activePeer: peer };
      const p = peer ? s.peers[peer] : undefined;
      if (peer && p && p.unread > 0) next.peers = { ...s.peers, [peer]: { ...p, unread: 0 } };
      return next;
    });
    if (peer) this.connect(peer);
  }

  /** The user is looking at the active conversation again (tab visible). */
  markActiveRead(): void {
    // Scrolled up to earlier messages, the newest are not seen yet (PROTOCOL.md 4.6).
    if (!this.readingNewest) return;
    const peer = this.store.getState().activePeer;
    if (peer) this.patchPeer(peer, (p) => (p.unread ? { ...p, unread: 0 } : p));
  }

  /**
   * Whether the active conversation shows its newest messages (scrolled to the bottom). While
   * it does not, messages arriving in it count as unread, as in the original, which clears a
   * message's unread mark only once it has been in view (PROTOCOL.md 4.6); back at the bottom,
   * they are read.
   */
  setReadingNewest(atBottom: boolean): void {
    this.readingNewest = atBottom;
    if (atBottom && !this.documentHidden()) this.markActiveRead();
  }

  connect(peer: string): void {
    const link = this.links.get(peer);
    if (link && !['failed', 'closed'].includes(link.session.state)) return;
    const online = this.store.getState().peers[peer]?.online;
    // ICE failed: it restarts on the same connection. The peer keeps its connection for us (an
    // original client forgets it never, PROTOCOL.md 4.10) and takes an ICE restart on it, where
    // a new connection's offer (other DTLS certificate, other channels) would not fit it.
    if (link && online && link.session.retry()) return;
    if (link) this.dropLink(peer);
    if (!online) return;
    this.createLink(peer, true);
  }

  sendText(peer: string, text: string): void {
    if (!text.trim()) return;
    const msg = this.newMessage(peer, { message: text, tincanFeatures: REPLY_FEATURES });
    this.addItem(peer, {
      id: msg.messageId,
      out: true,
      timestamp: msg.timestamp,
      text,
      status: 'pending',
    });
    this.touchPeer(peer, text);
    void this.sendReliable(peer, msg);
  }

  /** Resends a message that failed (same id: the receiver drops duplicates). */
  retry(peer: string, messageId: string): void {
    const item = this.store.getState().messages[peer]?.find((m) => m.id === messageId);
    if (!item || !item.out || item.status !== 'failed' || item.file) return;
    this.patchItem(peer, messageId, (m) => ({ ...m, status: 'pending' }));
    const msg = this.newMessage(
      peer,
      { message: item.text ?? '', tincanFeatures: REPLY_FEATURES },
      messageId,
    );
    void this.sendReliable(peer, msg);
  }

  editMessage(peer: string, messageId: string, text: string): void {
    const item = this.store.getState().messages[peer]?.find((m) => m.id === messageId);
    if (!item || !item.out || item.file || !text.trim()) return;
    const replacement = this.newMessage(peer, { message: text }, messageId);
    this.patchItem(peer, messageId, (m) => ({ ...m, text, edited: true }));
    // Still waiting for its ACK: sent again (on a reopened channel), it carries the new text.
    const queued = this.links.get(peer)?.outbox.get(messageId);
    if (queued) queued.msg = { ...queued.msg, message: text };
    const amend = this.newMessage(peer, {
      amend: { messageId, newMessageJSON: JSON.stringify(replacement) },
    });
    // Like a message: ACKed by the peer (PROTOCOL.md 4.4), so sent again on a channel that opens
    // later if none is open now.
    void this.sendReliable(peer, amend);
  }

  deleteMessage(peer: string, messageId: string): void {
    const item = this.store.getState().messages[peer]?.find((m) => m.id === messageId);
    if (!item || !item.out) return;
    const link = this.links.get(peer);
    link?.sending.get(messageId)?.abort();
    // Not sent again when a chat channel reopens (the peer would show it again).
    const queued = link?.outbox.get(messageId);
    if (queued?.timer) clearTimeout(queued.timer);
    link?.outbox.delete(messageId);
    this.store.update((s) => ({
      ...s,
      messages: {
        ...s.messages,
        [peer]: (s.messages[peer] ?? []).filter((m) => m.id !== messageId),
      },
    }));
    if (link) void this.sendReliable(peer, this.newMessage(peer, { delete: { messageId } }));
  }

  /** Sends files one channel each (several may run at once). */
  sendFiles(peer: string, files: readonly File[]): void {
    for (const f of files) void this.sendFile(peer, f);
  }

  cancelTransfer(peer: string, itemId: string): void {
    const link = this.links.get(peer);
    link?.sending.get(itemId)?.abort();
    for (const inc of link?.incomingFiles.values() ?? []) {
      if (inc.itemId === itemId) inc.receiver.cancel();
    }
  }

  /**
   * One DTLS certificate for all of this page's peer connections, its fingerprint announced at
   * registration (`tincan_dtls`). A peer that re-registers under a new node id keeps its live
   * link only if the new id announced the certificate that link was authenticated with
   * (`maybeRekey`), so a claim in a ping cannot take over someone else's conversation.
   */
  private async identity(): Promise<void> {
    if (this.certificate) return;
    const generate =
      this.opts.generateCertificate ??
      (typeof RTCPeerConnection !== 'undefined' && RTCPeerConnection.generateCertificate
        ? () =>
            RTCPeerConnection.generateCertificate({
              name: 'ECDSA',
              namedCurve: 'P-256',
            } as EcKeyGenParams)
        : null);
    if (!generate) return;
    try {
      const cert = await generate();
      this.certificate = cert;
      this.fingerprint = dtlsFingerprint(cert);
    } catch (e) {
      console.warn('peer: no certificate of our own; links will not follow re-registrations', e);
    }
  }

  rename(name: string, color: number | undefined): void {
    const new_preference: { name: string; indexOfPreferColor?: number } = { name };
    if (color !== undefined) new_preference.indexOfPreferColor = color;
    // The original names the node's current name too (PROTOCOL.md 1.3; servers ignore it).
    const current = this.store.getState().name;
    this.signalling.send({
      rename: { new_preference, ...(current ? { origin_node_name: current } : {}) },
    });
    this.store.update((s) => ({ ...s, name, colorIndex: color }));
    this.opts.name = name;
    this.opts.colorIndex = color;
  }

  // ---- signalling ---------------------------------------------------------------------------

  private hello(): SignalEnvelope {
    // tincan_features: additive capabilities; original clients ignore unknown attributes.
    const attributes: Record<string, string> = {
      support_attachment: 'true',
      tincan_features: [DIGEST_FEATURE, GLARE_FEATURE].join(','),
    };
    if (this.fingerprint) attributes.tincan_dtls = this.fingerprint;
    if (this.opts.colorIndex !== undefined)
      attributes.preferred_color = String(this.opts.colorIndex);
    return {
      register: { node_name: this.opts.name },
      attributes_announcement: { attributes },
    };
  }

  private myId(): string | null {
    return this.signalling.nodeId ?? this.lastNodeId;
  }

  private onSignal(env: SignalEnvelope): void {
    if (env.online || env.rename) this.scheduleRefresh(100);
    if (env.offline) this.onOffline(env.offline.node_id);
    const me = this.signalling.nodeId;
    if (env.sdp_offer && me && env.sdp_offer.to_node_id === me) {
      // from_node_id is filled in by our server; never taken from a peer's data channel.
      const from = env.sdp_offer.from_node_id;
      let link = this.links.get(from);
      if (link && link.session.isClosed) {
        this.dropLink(from);
        link = undefined;
      }
      if (!link && env.sdp_offer.type === 'offer') {
        // Every offer would get its own RTCPeerConnection: while many are still negotiating
        // (a flood of offers from throwaway connections), further ones are left unanswered; a
        // real peer's connect attempt is retried.
        const negotiating = [...this.links.values()].filter((l) => !l.chat.open).length;
        if (negotiating < (this.opts.maxNegotiating ?? MAX_NEGOTIATING)) {
          link = this.createLink(from, false);
          this.scheduleRefresh(0);
        } else console.warn('peer: too many connections negotiating; offer left unanswered', from);
      }
      // Candidates that came before the offer go first: they wait in the session for it.
      const early = this.earlyCandidates.get(from);
      this.earlyCandidates.delete(from);
      if (link && early && Date.now() - early.at < EARLY_CANDIDATE_MS)
        for (const c of early.list) void link.session.handleCandidate(c);
      void link?.session.handleDescription(env.sdp_offer.offer_json);
    }
    if (env.ice_offer && me && env.ice_offer.to_node_id === me) {
      const from = env.ice_offer.from_node_id;
      const link = this.links.get(from);
      if (link) void link.session.handleCandidate(env.ice_offer.offer_json);
      else this.keepEarlyCandidate(from, env.ice_offer.offer_json);
    }
  }

  /**
   * A candidate from a peer we have no connection with: its offer may still be on the way (the
   * original drops these, PROTOCOL.md 10.2). Kept a while, bounded per peer and in peers.
   */
  private keepEarlyCandidate(from: string, json: string) {
    const now = Date.now();
    for (const [id, e] of this.earlyCandidates)
      if (now - e.at >= EARLY_CANDIDATE_MS) this.earlyCandidates.delete(id);
    let entry = this.earlyCandidates.get(from);
    if (!entry) {
      if (this.earlyCandidates.size >= MAX_NEGOTIATING) return;
      entry = { at: now, list: [] };
      this.earlyCandidates.set(from, entry);
    }
    if (entry.list.length < MAX_PENDING_CANDIDATES) entry.list.push(json);
  }

  /** A direct link that still carries the chat (kept while the peer's signalling is away). */
  private liveLink(nodeId: string): PeerLink | undefined {
    const link = this.links.get(nodeId);
    return link && link.session.state === 'connected' && link.chat.open ? link : undefined;
  }

  private onOffline(nodeId: string) {
    const link = this.links.get(nodeId);
    if (link && this.liveLink(nodeId)) {
      this.patchPeer(nodeId, (p) => ({ ...p, online: false }));
      return;
    }
    if (link) this.dropLink(nodeId);
    this.store.update((s) => {
      const p = s.peers[nodeId];
      if (!p) return s;
      const peers = { ...s.peers };
      // A conversation stays visible (offline) so its history is not yanked away.
      if (s.messages[nodeId]?.length)
        peers[nodeId] = { ...p, online: false, connection: 'none', chatOpen: false };
      else delete peers[nodeId];
      return { ...s, peers, activePeer: s.activePeer && peers[s.activePeer] ? s.activePeer : null };
    });
  }

  private scheduleRefresh(delay: number) {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refreshPeers();
    }, delay);
  }

  /** Re-reads `/conns`; peers that left are dropped unless a direct connection still works. */
  async refreshPeers(): Promise<void> {
    let text: string;
    try {
      // As the original: the browser's default credentials. The registry needs no session, and
      // a credentialed request fails against the permissive `Access-Control-Allow-Origin: *`
      // (PROTOCOL.md 2.3) where the original's succeeds.
      const res = await (this.opts.fetchImpl ?? fetch)(`${this.urls.api}/conns`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (e) {
      console.warn('peers: /conns failed', e);
      return;
    }
    const r = decodeConns(text);
    if (!r.ok) {
      console.warn('peers: bad /conns', r.error.message);
      return;
    }
    const me = this.signalling.nodeId;
    const listed = new Set<string>();
    const fresh: string[] = [];
    this.store.update((s) => {
      const peers: Record<string, PeerView> = {};
      let ownName = s.name;
      let ownColor = s.colorIndex;
      let own: Pick<AppState, 'authentication' | 'isBot' | 'account'> = {
        authentication: s.authentication,
        isBot: s.isBot,
        ...(s.account ? { account: s.account } : {}),
      };
      for (const e of r.value) {
        if (e.nodeId === me) {
          ownName = e.name || ownName;
          this.ownAccount = e.username || ownName;
          const account = isSignedIn(e.authentication)
            ? this.profiles.get(this.ownAccount)
            : undefined;
          own = {
            authentication: e.authentication,
            isBot: e.isBot,
            ...(account ? { account } : {}),
          };
          const c = e.attributes.preferred_color;
          if (c !== undefined && /^[0-9]$/.test(c)) ownColor = Number(c);
          continue;
        }
        if (e.registeredAt === undefined) continue; // connected but not registered yet
        listed.add(e.nodeId);
        const prev = s.peers[e.nodeId];
        const early = prev ? undefined : this.unlisted.get(e.nodeId);
        this.unlisted.delete(e.nodeId);
        const account = isSignedIn(e.authentication) ? this.profiles.get(accountOf(e)) : undefined;
        peers[e.nodeId] = {
          nodeId: e.nodeId,
          name: e.name,
          ...(e.username ? { username: e.username } : {}),
          colorIndex: colorIndex(e.attributes.preferred_color, e.name),
          authentication: e.authentication,
          isBot: e.isBot,
          ...(account ? { account } : {}),
          registeredAt: e.registeredAt,
          attributes: e.attributes,
          online: true,
          // A link may exist before the entry (an offer can beat the /conns refresh).
          connection: this.links.get(e.nodeId)?.session.state ?? prev?.connection ?? 'none',
          chatOpen: this.links.get(e.nodeId)?.chat.open !== undefined,
          supportsFiles: e.attributes.support_attachment === 'true',
          unread: prev?.unread ?? early?.unread ?? 0,
          lastActivity: prev?.lastActivity ?? early?.lastActivity ?? 0,
          ...(prev?.lastPreview !== undefined ? { lastPreview: prev.lastPreview } : {}),
          ...(early ? { lastPreview: early.lastPreview } : {}),
          ...(prev?.path ? { path: prev.path } : {}),
        };
      }
      let messages = s.messages;
      let activePeer = s.activePeer;
      for (const [id, p] of Object.entries(s.peers)) {
        if (listed.has(id)) continue;
        if (this.liveLink(id)) {
          peers[id] = { ...p, online: false };
          continue;
        }
        if (!s.messages[id]?.length) continue;
        // The same name is back under a new id: move the conversation over (marked restored),
        // as a reload would from IndexedDB. Otherwise keep it listed as offline.
        const successor = Object.values(peers)
          .filter((q) => q.online && q.name === p.name && q.nodeId !== id)
          .sort((x, y) => y.registeredAt - x.registeredAt)[0];
        if (successor) {
          const earlier = (s.messages[id] ?? []).map((m) => ({ ...m, restored: true }));
          const ids = new Set(earlier.map((m) => m.id));
          messages = {
            ...messages,
            [successor.nodeId]: [
              ...earlier,
              ...(s.messages[successor.nodeId] ?? []).filter((m) => !ids.has(m.id)),
            ],
          };
          delete messages[id];
          // What was not read yet is still unread under the new id.
          const lastPreview = successor.lastPreview ?? p.lastPreview;
          peers[successor.nodeId] = {
            ...successor,
            unread: successor.unread + p.unread,
            lastActivity: Math.max(successor.lastActivity, p.lastActivity),
            ...(lastPreview !== undefined ? { lastPreview } : {}),
          };
          if (activePeer === id) activePeer = successor.nodeId;
          this.savedLists.delete(id);
          this.savedUnread.delete(id);
        } else {
          peers[id] = { ...p, online: false, connection: 'none', chatOpen: false };
        }
      }
      if (activePeer && !peers[activePeer]) activePeer = null;
      for (const id of listed) if (!s.peers[id]) fresh.push(id);
      const { account: _was, ...rest } = s;
      return { ...rest, ...own, peers, messages, activePeer, name: ownName, colorIndex: ownColor };
    });
    for (const id of fresh) void this.restoreHistory(id);
    for (const e of r.value)
      if (isSignedIn(e.authentication)) void this.profiles.request(accountOf(e));
    for (const id of [...this.links.keys()]) {
      if (!listed.has(id) && this.links.get(id)?.session.state !== 'connected') this.dropLink(id);
    }
  }

  /** A profile arrived: every signed-in peer of that account shows it, and so do we. */
  private applyProfile(name: string) {
    const account = this.profiles.get(name);
    this.store.update((s) => {
      let peers = s.peers;
      for (const p of Object.values(s.peers)) {
        if ((p.username || p.name) !== name || !isSignedIn(p.authentication)) continue;
        if (p.account === account) continue;
        const { account: _old, ...rest } = p;
        peers = { ...peers, [p.nodeId]: account ? { ...rest, account } : rest };
      }
      if (this.ownAccount === name && isSignedIn(s.authentication) && s.account !== account) {
        const { account: _old, ...rest } = s;
        return { ...rest, ...(account ? { account } : {}), peers };
      }
      return peers === s.peers ? s : { ...s, peers };
    });
  }

  /**
   * Whether the peer is a Tincan web app (perfect negotiation). Earlier versions announced only
   * the digest feature, and had perfect negotiation too.
   */
  private negotiatesPerfectly(peer: string): boolean {
    return this.peerHasFeature(peer, GLARE_FEATURE) || this.peerHasFeature(peer, DIGEST_FEATURE);
  }

  /** Whether the peer answers pings on a `ping` channel it opened (a Tincan app, a bot). */
  private answersPings(peer: string): boolean {
    return this.negotiatesPerfectly(peer) || !!this.store.getState().peers[peer]?.isBot;
  }

  private peerHasFeature(peer: string, feature: string): boolean {
    const f = this.store.getState().peers[peer]?.attributes.tincan_features ?? '';
    return f.split(',').includes(feature);
  }

  // ---- history -------------------------------------------------------------------------

  private historyKey(name: string): string {
    return `${this.opts.server.id}:${name}`;
  }

  private async restoreHistory(peer: string) {
    const h = this.history;
    const p = this.store.getState().peers[peer];
    if (!h || !p || !p.name || this.store.getState().messages[peer]?.length) return;
    const { items, unread, preview } = await h.loadConversation(this.historyKey(p.name));
    if (!items.length) return;
    this.store.update((s) => {
      if (!s.peers[peer] || s.messages[peer]?.some((m) => m.restored)) return s;
      const list = [...items, ...(s.messages[peer] ?? [])];
      this.savedLists.set(peer, list);
      const last = items[items.length - 1];
      const now = s.peers[peer]!;
      // Unread before the reload still is (plus any that came meanwhile), unless it is open.
      const open = s.activePeer === peer && !this.documentHidden();
      const lastPreview = now.lastPreview ?? preview;
      return {
        ...s,
        messages: { ...s.messages, [peer]: list },
        peers: {
          ...s.peers,
          [peer]: {
            ...now,
            lastActivity: Math.max(now.lastActivity, last?.timestamp ?? 0),
            unread: open ? 0 : now.unread + unread,
            ...(lastPreview !== undefined ? { lastPreview } : {}),
          },
        },
      };
    });
  }

  private saveHistory() {
    const h = this.history;
    if (!h) return;
    const s = this.store.getState();
    for (const [peer, list] of Object.entries(s.messages)) {
      const p = s.peers[peer];
      // Written again when the list or the unread count changed (reading it clears the count).
      const unread = p?.unread ?? 0;
      if (this.savedLists.get(peer) === list && this.savedUnread.get(peer) === unread) continue;
      this.savedLists.set(peer, list);
      this.savedUnread.set(peer, unread);
      if (p?.name)
        h.save(this.historyKey(p.name), list, {
          unread,
          ...(p.lastPreview !== undefined ? { preview: p.lastPreview } : {}),
        });
    }
  }

  // ---- peer links -----------------------------------------------------------------------

  private createLink(peer: string, initiator: boolean, tries = 1): PeerLink {
    const session = new PeerSession({
      remoteId: peer,
      ...this.iceConfig(),
      currentIce: () => this.iceConfig(),
      localId: () => this.myId(),
      remoteHandlesGlare: () => this.negotiatesPerfectly(peer),
      sendSignal: (env) => this.signalling.send(env),
      certificate: this.certificate,
      ...(this.opts.createPeerConnection
        ? { createPeerConnection: this.opts.createPeerConnection }
        : {}),
    });
    const link: PeerLink = {
      id: peer,
      session,
      chat: new ChannelSet(),
      ping: new ChannelSet(),
      ownPing: new Set(),
      // The initiator counts from 0 (PROTOCOL.md 4.8). The acceptor also measures (towards Tincan
      // apps and bots, see sendPing), which the original never does: its numbers start far
      // above, so an initiator that matches any `ping` by seq alone never takes one for its own.
      pingSeq: initiator ? 0 : ACCEPTOR_PING_SEQ_BASE,
      pingSent: new Map(),
      pingTimer: null,
      outbox: new Map(),
      seen: new Set(),
      incomingFiles: new Map(),
      patches: new Map(),
      bodiless: new Set(),
      nowPlaying: null,
      lastTrack: null,
      filesSending: 0,
      fileSlots: [],
      rate: new RateLimit(
        this.opts.peerRate?.perSecond ?? PEER_RATE,
        this.opts.peerRate?.burst ?? PEER_BURST,
      ),
      announced: new Map(),
      refusedFiles: new Set(),
      sending: new Map(),
      watchdog: null,
    };
    // Negotiation can wedge (e.g. signalling lost mid-offer): the initiator rebuilds the link.
    link.watchdog = setTimeout(() => {
      link.watchdog = null;
      if (link.chat.open || this.links.get(link.id) !== link || !initiator) return;
      console.warn('peer: no chat channel after', CONNECT_TIMEOUT, 'ms; try', tries, link.id);
      this.rebuild(link, tries);
    }, CONNECT_TIMEOUT);
    session.on('stalled', () => {
      if (this.links.get(link.id) === link && !link.chat.open) this.rebuild(link, tries);
    });
    this.links.set(peer, link);
    session.on('channel', ({ channel, local }) => this.onChannel(link, channel, local));
    session.on('state', (state) => {
      this.patchPeer(link.id, (p) => ({ ...p, connection: state }));
      if (state === 'closed' || state === 'failed')
        this.patchPeer(link.id, (p) => ({ ...p, chatOpen: false }));
      // A direct link to a peer the server no longer lists just died: tidy up the list.
      if (state !== 'connected' && this.store.getState().peers[link.id]?.online === false)
        this.scheduleRefresh(0);
    });
    session.on('track', (ev) => this.onTrack(link.id, ev));
    session.on('error', (e) => {
      console.warn('peer error', e);
      this.emit('error', e);
    });
    this.patchPeer(peer, (p) => ({ ...p, connection: 'new' }));
    if (initiator) {
      session.createChannel('chat');
      session.createChannel('ping');
    }
    return link;
  }

  /**
   * Replaces a link that cannot connect. After glare both sides may give up at once and
   * rebuilding both immediately would collide again: the impolite side (larger id) offers
   * first; the polite one only if no fresh offer has created a new link meanwhile.
   */
  private rebuild(link: PeerLink, tries: number) {
    const id = link.id;
    this.dropLink(id);
    if (tries >= MAX_CONNECT_TRIES) return;
    // A peer that does not resolve glare never rebuilds by itself: only this side can.
    const polite = this.negotiatesPerfectly(id) && (this.myId() ?? '') < id;
    const delay = polite ? 4000 + Math.random() * 3000 : 300;
    setTimeout(() => {
      if (!this.started || this.links.has(id) || !this.store.getState().peers[id]?.online) return;
      this.createLink(id, true, tries + 1);
    }, delay);
  }

  private dropLink(peer: string) {
    this.unlisted.delete(peer);
    const link = this.links.get(peer);
    if (!link) return;
    this.links.delete(peer);
    if (link.pingTimer) clearInterval(link.pingTimer);
    if (link.watchdog) clearTimeout(link.watchdog);
    for (const o of link.outbox.values()) {
      if (o.timer) clearTimeout(o.timer);
      o.done(false);
    }
    for (const a of link.sending.values()) a.abort();
    link.chat.closeAll();
    link.ping.closeAll();
    link.session.close();
    this.patchPeer(peer, (p) => ({ ...p, connection: 'none', chatOpen: false }));
  }

  private onChannel(link: PeerLink, ch: RTCDataChannel, local: boolean) {
    switch (ch.label) {
      case 'chat': {
        link.chat.add(ch);
        const opened = () => {
          const max = link.session.pc.sctp?.maxMessageSize;
          this.patchPeer(link.id, (p) => ({
            ...p,
            chatOpen: true,
            ...(max && Number.isFinite(max) ? { maxMessageSize: max } : {}),
          }));
          for (const o of link.outbox.values()) this.attempt(link, o);
        };
        if (ch.readyState === 'open') opened();
        else ch.addEventListener('open', opened, { once: true });
        ch.addEventListener('close', () => {
          if (link.chat.open || this.links.get(link.id) !== link) return;
          this.patchPeer(link.id, (p) => ({ ...p, chatOpen: false }));
          // The peer's page went away (it closes its connections when unloaded) after its
          // signalling did: it is gone now, not just away from the server.
          if (this.store.getState().peers[link.id]?.online === false) this.onOffline(link.id);
        });
        ch.addEventListener('message', (ev) => {
          if (this.admit(link)) this.onChat(link.id, link, ch, ev.data);
        });
        break;
      }
      case 'ping': {
        link.ping.add(ch);
        if (local) {
          link.ownPing.add(ch);
          ch.addEventListener('close', () => link.ownPing.delete(ch), { once: true });
        }
        const opened = () => {
          if (!link.pingTimer)
            link.pingTimer = setInterval(() => this.sendPing(link.id, link), PING_INTERVAL);
        };
        if (ch.readyState === 'open') opened();
        else ch.addEventListener('open', opened, { once: true });
        ch.addEventListener('message', (ev) => {
          if (this.admit(link)) this.onPing(link.id, link, ch, ev.data);
        });
        break;
      }
      case 'file':
        if (!local) this.onIncomingFileChannel(link, ch);
        break;
      case 'msgpatch':
        ch.binaryType = 'arraybuffer';
        ch.addEventListener('message', (ev) => {
          if (this.admit(link)) this.onPatch(link.id, link, ev.data);
        });
        break;
      default:
        console.warn('peer: ignoring channel', ch.label);
    }
  }

  /** Whether a frame from this peer is within its rate; reports drops at most once a second. */
  private admit(link: PeerLink): boolean {
    if (link.rate.take()) return true;
    if (link.rate.dropped === 1) {
      setTimeout(() => {
        console.warn('peer: over its message rate, dropped', link.rate.dropped, 'frames', link.id);
        link.rate.dropped = 0;
      }, 1000);
    }
    return false;
  }

  // ---- chat -------------------------------------------------------------------------------

  private newMessage(peer: string, body: Partial<ChatMessage>, id?: string): ChatMessage {
    return {
      messageId: id ?? crypto.randomUUID(),
      fromNodeId: this.myId() ?? '',
      toNodeId: peer,
      timestamp: Date.now(),
      ...body,
    };
  }

  /**
   * An ACK or pong to `m`: its `fromNodeId` and `toNodeId` are the message's swapped (PROTOCOL.md
   * 4.4, 4.8), so a peer that still addresses us by an id from before a signalling outage finds
   * its ACK under the ids it used; where the message left them out, the link's ids. Nothing here
   * is used for attribution: the reply goes back on the link the message came on.
   */
  private reply(peer: string, m: ChatMessage, body: Partial<ChatMessage>): ChatMessage {
    const r = this.newMessage(peer, body);
    if (m.toNodeId) r.fromNodeId = m.toNodeId;
    if (m.fromNodeId) r.toNodeId = m.fromNodeId;
    return r;
  }

  /**
   * Sends and waits for the ACK: false once `maxAttempts` checks `ackTimeoutMs` apart found none.
   * An ACK arriving later still marks the message delivered.
   */
  private sendReliable(peer: string, msg: ChatMessage): Promise<boolean> {
    const link = this.links.get(peer);
    if (!link) {
      this.patchItem(peer, msg.messageId, (m) => ({ ...m, status: 'failed' }));
      return Promise.resolve(false);
    }
    const earlier = link.outbox.get(msg.messageId);
    if (earlier?.timer) clearTimeout(earlier.timer);
    return new Promise((resolve) => {
      let settled = false;
      const o: Outgoing = {
        msg,
        via: null,
        checksLeft: this.opts.maxAttempts ?? 4,
        timer: null,
        done: (ok) => {
          if (o.timer) clearTimeout(o.timer);
          o.timer = null;
          // Kept after a failure, to take a late ACK; a bounded number of them.
          if (ok || !this.unconfirmed(link, o)) link.outbox.delete(msg.messageId);
          this.patchItem(link.id, msg.messageId, (m) => ({
            ...m,
            status: ok ? 'delivered' : 'failed',
          }));
          if (!settled) resolve(ok);
          settled = true;
        },
      };
      link.outbox.set(msg.messageId, o);
      this.attempt(link, o);
    });
  }

  /** Keeps a failed message in the outbox for a late ACK (at most UNCONFIRMED_KEPT of them). */
  private unconfirmed(link: PeerLink, o: Outgoing): boolean {
    o.checksLeft = 0;
    const failed = [...link.outbox.values()].filter((x) => x.checksLeft === 0);
    for (const old of failed.slice(0, Math.max(0, failed.length - UNCONFIRMED_KEPT)))
      link.outbox.delete(old.msg.messageId);
    return link.outbox.get(o.msg.messageId) === o;
  }

  /** Hands the message to an open channel unless one already carries it; arms the next check. */
  private attempt(link: PeerLink, o: Outgoing) {
    if (o.checksLeft === 0) return; // failed: waits for a late ACK or the user's Retry
    if (o.via?.readyState !== 'open') {
      const ch = link.chat.open;
      o.via = ch && link.chat.send(o.msg, ch) ? ch : null;
    }
    if (o.timer) clearTimeout(o.timer);
    o.timer = setTimeout(() => {
      o.timer = null;
      if (--o.checksLeft <= 0) o.done(false);
      else this.attempt(link, o);
    }, this.opts.ackTimeoutMs ?? 3000);
  }

  private onChat(peer: string, link: PeerLink, ch: RTCDataChannel, data: unknown) {
    const m = parseIncoming(data);
    if (!m) {
      this.emit('error', { code: 'bad_peer_message', message: 'undecodable chat message', peer });
      const refused = ackableRefused(data);
      if (refused)
        link.chat.send(
          this.reply(peer, refused as ChatMessage, { ack: { messageId: refused.messageId } }),
          ch,
        );
      return;
    }
    if (m.ack) {
      link.outbox.get(m.ack.messageId)?.done(true);
      return;
    }
    // Every non-ACK message is ACKed (PROTOCOL.md 4.4), on the link it came on.
    link.chat.send(this.reply(peer, m, { ack: { messageId: m.messageId } }), ch);
    if (m.amend) return this.applyAmend(peer, link, m.amend.messageId, m.amend.newMessageJSON);
    if (m.delete) return this.applyDelete(peer, link, m.delete.messageId);
    if (m.ping) return;
    this.receive(peer, link, m);
  }

  /** A received message with content (or none yet) into the conversation. */
  private receive(peer: string, link: PeerLink, m: ChatMessage) {
    if (link.seen.has(m.messageId)) return;
    link.seen.add(m.messageId);
    if (link.seen.size > 5000) link.seen.delete(link.seen.values().next().value as string);
    const exists = this.store.getState().messages[peer]?.some((x) => x.id === m.messageId);
    if (exists) return;
    const pending = link.patches.get(m.messageId);
    if (m.message === undefined && !m.richText && !m.file && !pending) {
      // No text yet: shown once msgpatch orders fill it in ("" + patches, PROTOCOL.md 4.9).
      link.bodiless.add(m.messageId);
      if (link.bodiless.size > MAX_PENDING_PATCH_IDS)
        link.bodiless.delete(link.bodiless.values().next().value as string);
      return;
    }

    const item: ChatItem = { id: m.messageId, out: false, timestamp: Date.now() };
    if (m.message !== undefined) item.text = m.message;
    if (m.richText) item.rich = m.richText.content;
    if (pending) {
      item.text = applyPatches(item.text ?? '', [pending]);
      item.patch = pending;
      link.patches.delete(m.messageId);
    }
    if (m.file) {
      const f = m.file;
      item.file = {
        transferId: m.messageId,
        name: f.name ?? 'unknownfile',
        size: f.size ?? 0,
        ...(f.size === undefined ? { sizeUnknown: true } : {}),
        type: f.type ?? '',
        category: f.category,
        bytes: 0,
        rate: 0,
        status: 'waiting',
        ...(f.thumbnail ? { thumbnail: f.thumbnail.dataURL } : {}),
      };
    }
    this.addItem(peer, item);
    const playing = item.text !== undefined ? NOW_PLAYING.exec(item.text) : null;
    if (playing) this.nameTrack(peer, link, playing[1]!);
    const preview = previewOf(item);
    const s = this.store.getState();
    const unseen = s.activePeer !== peer || this.documentHidden() || !this.readingNewest;
    this.touchPeer(peer, preview, unseen);
    const p = s.peers[peer];
    const name = p?.account?.displayName || p?.name || 'peer';
    if (unseen) this.emit('incoming', { peer, name, preview });
    if (m.file) this.linkAnnouncement(peer, link, m.file.dcId, m.messageId);
  }

  private applyAmend(peer: string, link: PeerLink, id: string, json: string) {
    const r = decodeChatMessage(withMessageId(json, id), 1);
    if (!r.ok) return;
    const { message, richText } = r.value;
    const list = this.store.getState().messages[peer] ?? [];
    // The new message takes the old one's place whole, its id included (PROTOCOL.md 4.5): later
    // orders, deletes and duplicates go by the new id. Not an id in use (ours, or another of its).
    const wanted = r.value.messageId;
    const newId =
      wanted !== id && !link.seen.has(wanted) && !list.some((m) => m.id === wanted) ? wanted : id;
    // A message that came without text is in the original's list all the same: the amend gives
    // it its text.
    if (link.bodiless.delete(id)) {
      link.seen.delete(id);
      return this.receive(peer, link, this.newMessage(peer, { message, richText }, newId));
    }
    // Only messages this peer authored may be changed, and only their text. The new message
    // replaces the old one's content wholesale: a text or rich text it leaves out is gone.
    const target = list.find((m) => m.id === id);
    if (!target || target.out || target.file) return;
    // The original shows the new text with every msgpatch order received for the id applied
    // (PROTOCOL.md 4.9): those of this message, or, under a new id, those kept for that id.
    const patch = newId !== id ? link.patches.get(newId) : target.patch;
    const text = patch ? applyPatches(message ?? '', [patch]) : message;
    this.patchItem(peer, id, (m) => {
      const { text: _text, rich: _rich, patch: _patch, ...rest } = m;
      return {
        ...rest,
        id: newId,
        edited: true,
        ...(text !== undefined ? { text } : {}),
        ...(richText ? { rich: richText.content } : {}),
        ...(patch ? { patch } : {}),
      };
    });
    if (newId !== id) {
      link.seen.delete(id);
      link.seen.add(newId);
      link.patches.delete(newId);
    }
    this.refreshPreview(peer, newId);
  }

  private applyDelete(peer: string, link: PeerLink, id: string) {
    // The original drops a message as a duplicate only while its id is in the list (PROTOCOL.md
    // 4.4): once deleted, the same id sent again is a new message, shown.
    const shown = this.store.getState().messages[peer]?.find((m) => m.id === id);
    if ((shown && !shown.out) || link.bodiless.delete(id)) link.seen.delete(id);
    this.store.update((s) => {
      const list = s.messages[peer] ?? [];
      const at = list.findIndex((m) => m.id === id);
      const target = list[at];
      if (!target || target.out) return s;
      if (target.file)
        for (const inc of link.incomingFiles.values()) if (inc.itemId === id) inc.receiver.cancel();
      const rest = list.filter((m) => m.id !== id);
      const messages = { ...s.messages, [peer]: rest };
      const p = s.peers[peer];
      if (!p) return { ...s, messages };
      // The original counts a peer's unread messages still in its list (PROTOCOL.md 4.6): a
      // deleted one no longer counts, and the row no longer shows it. The unread ones are the
      // newest received (audio cards never count).
      const laterReceived = list.slice(at + 1).filter((m) => !m.out && !m.trackId).length;
      const { lastPreview: _gone, ...row } = p;
      const last = rest.at(-1);
      const next: PeerView = {
        ...(at === list.length - 1 ? row : p),
        unread: laterReceived < p.unread ? p.unread - 1 : p.unread,
        ...(at === list.length - 1 && last ? { lastPreview: previewOf(last) } : {}),
      };
      return { ...s, messages, peers: { ...s.peers, [peer]: next } };
    });
  }

  /** The peer's row shows its newest message's preview: again after that message changed. */
  private refreshPreview(peer: string, id: string) {
    const last = this.store.getState().messages[peer]?.at(-1);
    if (last?.id !== id) return;
    const preview = previewOf(last);
    this.patchPeer(peer, (p) => (p.lastPreview === preview ? p : { ...p, lastPreview: preview }));
  }

  private onPatch(peer: string, link: PeerLink, data: unknown) {
    if (!(data instanceof ArrayBuffer)) return;
    const r = decodePatch(data);
    if (!r.ok) {
      console.warn('msgpatch: dropped', r.error.message);
      return;
    }
    const order = r.value;
    const exists = this.store
      .getState()
      .messages[peer]?.some((m) => m.id === order.messageId && !m.out);
    if (exists) {
      this.patchItem(peer, order.messageId, (m) => {
        // Kept folded for an amend, which shows its new text with the orders applied again.
        const patch = foldPatch(m.patch, order);
        return { ...m, text: applyPatches(m.text ?? '', [order]), ...(patch ? { patch } : {}) };
      });
      // Keep the peer list preview current when the patched message is the newest one.
      this.refreshPreview(peer, order.messageId);
      return;
    }
    // Kept for a message that has not arrived yet: folded into one bounded order per id.
    const folded = foldPatch(link.patches.get(order.messageId), order);
    if (!folded) return;
    link.patches.delete(order.messageId);
    link.patches.set(order.messageId, folded);
    if (link.patches.size > MAX_PENDING_PATCH_IDS)
      link.patches.delete(link.patches.keys().next().value as string);
    // A message that came without text: this is its first text.
    if (link.bodiless.has(order.messageId)) {
      link.bodiless.delete(order.messageId);
      link.seen.delete(order.messageId);
      this.receive(peer, link, this.newMessage(peer, {}, order.messageId));
    }
  }

  // ---- ping -------------------------------------------------------------------------------

  private sendPing(peer: string, link: PeerLink) {
    // The acceptor's own pings go only to peers known to answer them: Tincan apps and bots. An
    // original initiator may take every message on its `ping` channel for a pong, and one it
    // cannot match hides its RTT (PROTOCOL.md 4.8): ours would blank its header once a second.
    const answers = this.answersPings(peer);
    if (link.pingSeq >= ACCEPTOR_PING_SEQ_BASE && !answers) return;
    // The initiator's pings to an original peer go on a `ping` channel it made: after glare the
    // peer's own may be open too, where it reads every message as a pong.
    let via: RTCDataChannel | undefined;
    if (link.pingSeq < ACCEPTOR_PING_SEQ_BASE && !answers) {
      via = [...link.ownPing].find((c) => c.readyState === 'open');
      if (!via) return;
    }
    const now = performance.now();
    for (const [seq, t] of link.pingSent) if (now - t > 3000) link.pingSent.delete(seq);
    const seq = link.pingSeq++;
    if (link.ping.send(this.newMessage(peer, { ping: { direction: 'ping', seq } }), via))
      link.pingSent.set(seq, now);
  }

  private onPing(peer: string, link: PeerLink, ch: RTCDataChannel, data: unknown) {
    const m = parseIncoming(data);
    if (!m?.ping) return;
    if (m.fromNodeId && m.fromNodeId !== peer) this.maybeRekey(link, m.fromNodeId);
    if (m.ping.direction === 'ping') {
      link.ping.send(this.reply(peer, m, { ping: { direction: 'pong', seq: m.ping.seq } }), ch);
      return;
    }
    const sent = link.pingSent.get(m.ping.seq);
    if (sent === undefined) return;
    link.pingSent.delete(m.ping.seq);
    this.sampleRtt(peer, performance.now() - sent);
  }

  /** Keeps an RTT sample (peer '' = the server) for the store at the next pulse. */
  private sampleRtt(peer: string, rtt: number) {
    const list = this.rttSamples.get(peer) ?? [];
    list.push(rtt);
    this.rttSamples.set(peer, list);
    this.pulse.defer(`rtt:${peer}`, () => {
      const samples = this.rttSamples.get(peer) ?? [];
      this.rttSamples.delete(peer);
      const last = samples.at(-1);
      if (last === undefined) return;
      if (!peer) {
        this.store.update((s) => ({
          ...s,
          wsRtt: last,
          wsRttHistory: samples.reduce(pushHistory, s.wsRttHistory),
        }));
        return;
      }
      if (!this.links.has(peer)) return; // gone (or re-keyed) meanwhile
      this.store.update((s) => ({
        ...s,
        peerRtt: {
          ...s.peerRtt,
          [peer]: {
            rtt: last,
            history: samples.reduce(pushHistory, s.peerRtt[peer]?.history ?? []),
          },
        },
      }));
    });
  }

  /**
   * After a signalling outage the peer re-registers under a new node id while our direct link
   * keeps working. Its pings then carry the new id. The claim is accepted only if the server
   * lists that id under the same name, the old id is gone and nothing else uses the new one;
   * then the conversation moves over instead of showing the person twice.
   */
  /**
   * Whether the new id belongs to whoever holds this link. The claim comes from the peer itself,
   * so it takes either the same signed-in account on both ids (the server vouches for it) or
   * the certificate the link was authenticated with, announced by the new id (`identity`).
   */
  private sameHolder(link: PeerLink, before: PeerView, after: PeerView): boolean {
    const account = (p: PeerView) => (isSignedIn(p.authentication) ? (p.username ?? '') : '');
    if (account(before) && account(before) === account(after)) return true;
    const announced = after.attributes.tincan_dtls;
    return !!announced && sdpHasFingerprint(link.session.pc.remoteDescription?.sdp, announced);
  }

  private maybeRekey(link: PeerLink, claimed: string) {
    const s = this.store.getState();
    const oldId = link.id;
    const before = s.peers[oldId];
    const after = s.peers[claimed];
    if (!before || !after || before.online || !after.online || after.name !== before.name) return;
    if (this.links.has(claimed) || link.session.state !== 'connected') return;
    if (!this.sameHolder(link, before, after)) return;
    this.links.delete(oldId);
    this.links.set(claimed, link);
    link.id = claimed;
    link.session.retarget(claimed);
    this.store.update((st) => {
      const peers = { ...st.peers };
      delete peers[oldId];
      peers[claimed] = {
        ...after,
        connection: before.connection,
        chatOpen: before.chatOpen,
        unread: before.unread,
        lastActivity: before.lastActivity,
        ...(before.lastPreview !== undefined ? { lastPreview: before.lastPreview } : {}),
        ...(before.path ? { path: before.path } : {}),
      };
      const messages = { ...st.messages };
      // The new entry may already hold restored copies of this very conversation.
      const live = st.messages[oldId] ?? [];
      const ids = new Set(live.map((m) => m.id));
      messages[claimed] = [
        ...live,
        ...(st.messages[claimed] ?? []).filter((m) => !ids.has(m.id)),
      ].sort((x, y) => x.timestamp - y.timestamp);
      delete messages[oldId];
      const { [oldId]: rtt, ...peerRtt } = st.peerRtt;
      if (rtt) peerRtt[claimed] = rtt;
      return {
        ...st,
        peers,
        peerRtt,
        messages,
        activePeer: st.activePeer === oldId ? claimed : st.activePeer,
      };
    });
  }

  private async pollStats() {
    for (const [peer, link] of this.links) {
      if (link.session.state !== 'connected') continue;
      try {
        const path = await link.session.selectedPath();
        if (path) {
          this.patchPeer(peer, (p) =>
            p.path?.local === path.local && p.path?.remote === path.remote
              ? p
              : { ...p, path: { local: path.local, remote: path.remote } },
          );
        }
      } catch {
        /* closed meanwhile */
      }
    }
  }

  private onTrack(peer: string, ev: RTCTrackEvent) {
    if (ev.track.kind !== 'audio') return;
    const stream = ev.streams[0] ?? new MediaStream([ev.track]);
    const trackId = this.tracks.add(peer, stream);
    const link = this.links.get(peer);
    const now = Date.now();
    // Named by a "Now playing" that came just before it; else by the browser's label until one
    // comes.
    const said = link?.nowPlaying && now - link.nowPlaying.at < TRACK_NAME_WINDOW_MS;
    const id = crypto.randomUUID();
    this.addItem(peer, {
      id,
      out: false,
      timestamp: now,
      trackId,
      text: said ? link.nowPlaying!.name : ev.track.label,
    });
    if (link) {
      link.lastTrack = { itemId: id, at: now, named: !!said };
      link.nowPlaying = null;
    }
  }

  private nameTrack(peer: string, link: PeerLink, name: string) {
    const now = Date.now();
    const last = link.lastTrack;
    if (last && !last.named && now - last.at < TRACK_NAME_WINDOW_MS) {
      last.named = true;
      this.patchItem(peer, last.itemId, (m) => ({ ...m, text: name }));
    } else link.nowPlaying = { name, at: now };
  }

  // ---- files ------------------------------------------------------------------------------

  private async sendFile(peer: string, file: File) {
    const link = this.links.get(peer);
    if (!link || !link.chat.open) return;
    const id = crypto.randomUUID();
    // The original web client sends only these three and shows any other category as
    // "Unknown attachment" (PROTOCOL.md 4.3, 7.7): an audio file goes out as a file.
    const category: FileCategory = file.type.startsWith('image/')
      ? 'image'
      : file.type.startsWith('video/')
        ? 'video'
        : 'file';
    const abort = new AbortController();
    link.sending.set(id, abort);
    if (
      file.size >= (this.opts.largeFile ?? LARGE_FILE) &&
      this.negotiatesPerfectly(peer) &&
      !this.store.getState().peers[peer]?.isBot
    )
      link.session.requestLargeSocketBuffers();
    // Chunks as the original's (128 KiB, PROTOCOL.md 4.7 and 9) unless the peer is a Tincan app,
    // which takes 256 KiB: fewer messages and feedback words. Always within the remote's limit.
    const remoteMax = link.session.pc.sctp?.maxMessageSize ?? null;
    const maxMessageSize =
      remoteMax && !this.peerHasFeature(link.id, DIGEST_FEATURE)
        ? Math.min(remoteMax, ORIGINAL_CHUNK)
        : remoteMax;
    // At most MAX_OUTGOING_FILES at once per peer: a receiver keeps at most MAX_INCOMING_FILES
    // file channels open and closes more (a hostile peer's flood of them). With a slot free, the
    // channel is made (and the file's first chunk read) before the new card goes to the store:
    // its listeners render the card (tens of milliseconds) while the channel opens, not before.
    let slot = this.takeFileSlot(link);
    let out = slot ? this.openFileChannel(link, file, maxMessageSize) : null;
    const view: FileView = {
      transferId: id,
      name: file.name || 'unknownfile',
      size: file.size,
      type: file.type,
      category,
      bytes: 0,
      rate: 0,
      status: 'waiting',
      url: URL.createObjectURL(file),
    };
    this.addItem(peer, { id, out: true, timestamp: Date.now(), file: view, status: 'pending' });
    this.touchPeer(peer, filePreview(view.category, view.name));
    const setFile = (f: Partial<FileView>) =>
      this.patchItem(link.id, id, (m) => (m.file ? { ...m, file: { ...m.file, ...f } } : m));
    let acked = 0;
    let streamed = false;
    try {
      // Made while the channel opens.
      const thumbnail = await makeThumbnail(file);
      if (!out) {
        slot = await this.fileSlot(link, abort.signal);
        if (!slot) {
          setFile({ status: 'cancelled' });
          return;
        }
        out = this.openFileChannel(link, file, maxMessageSize);
      }
      const { ch, blocks } = out;
      // A channel made on a connected association has its stream id at once: to a Tincan app
      // the announcement goes out while the channel opens (the receiver's ACK comes back
      // meanwhile) instead of after; the receiver has seen the channel first all the same (its
      // opening message went out first on the association). To other peers in the original's
      // order (PROTOCOL.md 4.7: the channel opens, then the announcement). No byte is sent
      // before both the open and the ACK.
      const opened = waitOpen(ch);
      opened.catch(() => {}); // awaited below, or the transfer ended before
      if (ch.id === null || !this.peerHasFeature(link.id, DIGEST_FEATURE)) await opened;
      if (thumbnail) setFile({ thumbnail });
      if (abort.signal.aborted) {
        setFile({ status: 'cancelled' });
        return;
      }
      const msg = this.newMessage(
        peer,
        {
          file: {
            category,
            name: file.name,
            size: file.size,
            type: file.type,
            dcId: String(ch.id),
            ...(thumbnail ? { thumbnail: { dataURL: thumbnail, mime: 'image/jpeg' } } : {}),
          },
        },
        id,
      );
      if (!(await this.sendReliable(peer, msg))) {
        setFile({ status: 'failed', error: 'not acknowledged' });
        return;
      }
      await opened;
      setFile({ status: 'transferring' });
      streamed = true;
      const outcome = await streamFile(
        ch,
        file,
        maxMessageSize,
        (p: Progress) => {
          acked = p.bytes;
          this.progress.set(id, p);
        },
        abort.signal,
        {
          trailer: this.peerHasFeature(link.id, DIGEST_FEATURE),
          onDigest: (sha256) => setFile({ sha256 }),
        },
        blocks,
      );
      setFile({ status: outcome, bytes: outcome === 'complete' ? file.size : acked, rate: 0 });
    } catch (e) {
      setFile({ status: 'failed', error: String(e), bytes: acked, rate: 0 });
    } finally {
      // A transfer that never started: its channel and reader go (streamFile closes its own).
      if (!streamed) {
        out?.ch.close();
        out?.blocks.close();
      }
      link.sending.delete(id);
      this.progress.delete(id);
      if (slot) {
        const next = link.fileSlots.shift();
        if (next) next();
        else link.filesSending--;
      }
    }
  }

  /**
   * A new `file` channel (PROTOCOL.md 4.7) and the file's reader: its first chunk is read while
   * the channel opens and the announcement is ACKed (the first read takes tens of milliseconds).
   */
  private openFileChannel(
    link: PeerLink,
    file: File,
    maxMessageSize: number | null,
  ): { ch: RTCDataChannel; blocks: BlockReader } {
    const blocks = new BlockReader(file, chunkSize(maxMessageSize));
    const ch = link.session.createChannel('file');
    ch.binaryType = 'arraybuffer';
    return { ch, blocks };
  }

  /** Takes one of the link's MAX_OUTGOING_FILES sending slots if one is free. */
  private takeFileSlot(link: PeerLink): boolean {
    if (link.filesSending >= MAX_OUTGOING_FILES) return false;
    link.filesSending++;
    return true;
  }

  /** Waits for one of the link's MAX_OUTGOING_FILES sending slots; false if cancelled first. */
  private fileSlot(link: PeerLink, signal: AbortSignal): Promise<boolean> {
    if (this.takeFileSlot(link)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const take = () => {
        signal.removeEventListener('abort', cancel);
        resolve(true); // the finishing transfer hands its slot over
      };
      const cancel = () => {
        link.fileSlots = link.fileSlots.filter((t) => t !== take);
        resolve(false);
      };
      link.fileSlots.push(take);
      signal.addEventListener('abort', cancel, { once: true });
    });
  }

  private onIncomingFileChannel(link: PeerLink, ch: RTCDataChannel) {
    const dcId = String(ch.id);
    if (link.incomingFiles.size >= MAX_INCOMING_FILES) {
      console.warn('file: too many incoming file channels; closing', dcId);
      ch.close();
      // Its announcement (usually after the channel) fails the file at once.
      const itemId = link.announced.get(dcId);
      link.announced.delete(dcId);
      if (itemId) this.refuseAnnounced(link.id, itemId);
      else {
        link.refusedFiles.add(dcId);
        if (link.refusedFiles.size > MAX_INCOMING_FILES)
          link.refusedFiles.delete(link.refusedFiles.values().next().value as string);
      }
      return;
    }
    // A stream id is used again once its channel has closed: this channel is a new one.
    link.refusedFiles.delete(dcId);
    const inc: IncomingFile = {
      receiver: new FileReceiver(
        ch,
        (p) => {
          if (!inc.itemId) return;
          const itemId = inc.itemId;
          // The message list changes once (waiting -> transferring); ticks go to the board.
          this.patchItem(link.id, itemId, (m) =>
            m.file?.status === 'waiting'
              ? { ...m, file: { ...m.file, status: 'transferring' } }
              : m,
          );
          if (!inc.result) this.progress.set(itemId, p);
        },
        // Opened when the announcement names the file (a channel alone stores nothing).
        () => (this.opts.receiveToDisk === false ? new HashingSink() : openDiskSink()),
        { gated: true },
      ),
    };
    link.incomingFiles.set(dcId, inc);
    const announced = link.announced.get(dcId);
    if (announced) {
      link.announced.delete(dcId);
      this.attachIncoming(link.id, inc, announced);
    }
    inc.receiver.done.then(
      (result) => {
        inc.result = result;
        if (link.incomingFiles.get(dcId) === inc) link.incomingFiles.delete(dcId);
        // A channel closed before its announcement carried nothing (bytes need the ACK first).
        if (inc.itemId) this.finishIncoming(link.id, inc.itemId, result, inc.receiver);
      },
      (e: unknown) => {
        link.incomingFiles.delete(dcId);
        if (inc.itemId) {
          this.progress.delete(inc.itemId);
          this.patchItem(link.id, inc.itemId, (m) =>
            m.file
              ? {
                  ...m,
                  file: { ...m.file, status: 'failed', error: `could not store: ${String(e)}` },
                }
              : m,
          );
        }
      },
    );
  }

  private linkAnnouncement(peer: string, link: PeerLink, dcId: string, itemId: string) {
    if (link.refusedFiles.delete(dcId)) return this.refuseAnnounced(peer, itemId);
    const inc = link.incomingFiles.get(dcId);
    if (!inc || inc.itemId) {
      // The channel opens later (or never: bounded, the oldest waiting announcement goes).
      link.announced.delete(dcId);
      link.announced.set(dcId, itemId);
      if (link.announced.size > MAX_INCOMING_FILES)
        link.announced.delete(link.announced.keys().next().value as string);
      return;
    }
    this.attachIncoming(peer, inc, itemId);
  }

  /** A file whose channel was closed for being over MAX_INCOMING_FILES: it fails, visibly. */
  private refuseAnnounced(peer: string, itemId: string) {
    this.patchItem(peer, itemId, (m) =>
      m.file?.status === 'waiting'
        ? {
            ...m,
            file: {
              ...m.file,
              status: 'failed',
              error: `not received: more than ${MAX_INCOMING_FILES} files at once`,
            },
          }
        : m,
    );
  }

  private attachIncoming(peer: string, inc: IncomingFile, itemId: string) {
    inc.itemId = itemId;
    const item = this.store.getState().messages[peer]?.find((m) => m.id === itemId);
    if (!item?.file) return inc.receiver.cancel();
    // An original sender never closes a zero-byte file's channel (PROTOCOL.md 4.7): we do.
    const original = !this.peerHasFeature(peer, DIGEST_FEATURE);
    // Without a size the bytes are taken until the sender closes the channel (as the original
    // receiver does); taking it for a zero-byte file closed the channel at once, which an
    // original sender takes for completion while its bytes were refused.
    const limit = item.file.sizeUnknown ? Number.MAX_SAFE_INTEGER : item.file.size;
    inc.receiver.accept(limit, item.file.type, original);
  }

  private finishIncoming(peer: string, itemId: string, r: ReceivedFile, receiver: FileReceiver) {
    const item = this.store.getState().messages[peer]?.find((m) => m.id === itemId);
    if (item?.file && (r.bytes < item.file.size || r.refused)) receiver.discard();
    this.progress.delete(itemId);
    this.patchItem(peer, itemId, (m) => {
      if (!m.file) return m;
      if (r.refused) {
        const error =
          r.refused === 'overflow'
            ? 'the peer sent more bytes than it announced'
            : 'the peer sent bytes before announcing the file';
        return { ...m, file: { ...m.file, bytes: r.bytes, rate: 0, status: 'failed', error } };
      }
      const complete = r.bytes >= m.file.size;
      const { sizeUnknown, ...known } = m.file;
      const file: FileView = {
        ...known,
        ...(sizeUnknown ? { size: r.bytes } : {}),
        bytes: r.bytes,
        rate: 0,
        status: complete ? 'complete' : 'cancelled',
      };
      if (complete) {
        // Expected: the in-band trailer (an announcement's `sha256` is not this digest).
        const expected = r.expectedSha256;
        file.url = URL.createObjectURL(r.blob);
        file.sha256 = r.sha256;
        file.verification = expected
          ? expected === r.sha256
            ? 'verified'
            : 'mismatch'
          : 'unchecked';
        if (file.verification === 'mismatch') file.error = `expected SHA-256 ${expected}`;
      }
      return { ...m, file };
    });
  }

  // ---- store helpers --------------------------------------------------------------------

  private addItem(peer: string, item: ChatItem) {
    this.store.update((s) => ({
      ...s,
      messages: { ...s.messages, [peer]: bounded([...(s.messages[peer] ?? []), item]) },
    }));
  }

  private patchItem(peer: string, id: string, fn: (m: ChatItem) => ChatItem) {
    this.store.update((s) => {
      const list = s.messages[peer];
      const i = list?.findIndex((m) => m.id === id) ?? -1;
      if (!list || i < 0) return s;
      const next = fn(list[i] as ChatItem);
      if (next === list[i]) return s;
      const copy = list.slice();
      copy[i] = next;
      return { ...s, messages: { ...s.messages, [peer]: copy } };
    });
  }

  private patchPeer(peer: string, fn: (p: PeerView) => PeerView) {
    this.store.update((s) => {
      const p = s.peers[peer];
      if (!p) return s;
      const next = fn(p);
      return next === p ? s : { ...s, peers: { ...s.peers, [peer]: next } };
    });
  }

  private touchPeer(peer: string, preview: string, unread = false) {
    if (!this.store.getState().peers[peer]) {
      const was = this.unlisted.get(peer);
      this.unlisted.set(peer, {
        unread: (was?.unread ?? 0) + (unread ? 1 : 0),
        lastActivity: Date.now(),
        lastPreview: preview,
      });
      return;
    }
    this.patchPeer(peer, (p) => ({
      ...p,
      lastActivity: Date.now(),
      lastPreview: preview,
      unread: unread ? p.unread + 1 : p.unread,
    }));
  }
}

/**
 * A conversation keeps its newest MAX_ITEMS messages and at most MAX_ITEMS_TEXT characters of
 * text, folded msgpatch orders and thumbnails (a data URL may be 128 Ki characters): a peer
 * sending without end costs bounded memory (the oldest messages go first).
 */
export const MAX_ITEMS = 2000;
export const MAX_ITEMS_TEXT = 8 * 1024 * 1024;

function bounded(list: ChatItem[]): ChatItem[] {
  let start = Math.max(0, list.length - MAX_ITEMS);
  let chars = 0;
  for (let i = list.length - 1; i >= start; i--) {
    const m = list[i] as ChatItem;
    chars +=
      (m.text?.length ?? 0) +
      (m.rich?.length ?? 0) +
      (m.patch?.value.length ?? 0) +
      (m.file?.thumbnail?.length ?? 0);
    if (chars > MAX_ITEMS_TEXT) {
      start = Math.min(i + 1, list.length - 1);
      break;
    }
  }
  return start > 0 ? list.slice(start) : list;
}

/** Characters of a text message the peer list's row shows before "…". */
const PREVIEW_CHARS = 80;

/**
 * A message as the peer list's row previews it: plain text, cut with "…"; a file by its
 * category's mark and its name (PROTOCOL.md 4.6: 🖼 image, 🎥 video, 🎵 audio, 📄 document,
 * 📎 other), which the list draws as an icon.
 */
function previewOf(m: ChatItem): string {
  if (m.file) return filePreview(m.file.category, m.file.name);
  const text = toPlainText(m.text ?? m.rich ?? '');
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

function filePreview(category: FileCategory, name: string): string {
  return `${FILE_PREVIEW_MARKS[category]} ${sanitizeFileName(name)}`;
}

/**
 * An amend's `newMessageJSON` with the amended message's id where it has none: the original
 * replaces the message with whatever object it gets (PROTOCOL.md 4.5), and our codec wants an id.
 */
function withMessageId(json: string, id: string): string {
  try {
    const o = JSON.parse(json) as unknown;
    if (typeof o === 'object' && o !== null && !Array.isArray(o) && !('messageId' in o))
      return JSON.stringify({ ...o, messageId: id });
  } catch {
    // not JSON: the codec reports it
  }
  return json;
}

/** The account a signed-in `/conns` entry belongs to (its node name on servers without `username`). */
function accountOf(e: ConnEntry): string {
  return e.username || e.name;
}
