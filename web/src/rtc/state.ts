import type { AccountProfile, FileCategory, PatchOrder } from '../protocol';
import type { CandidateType } from './peer-session';
import type { SignallingStatus } from './signalling-client';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface FileView {
  transferId: string;
  name: string;
  size: number;
  /**
   * Incoming: the announcement named no size (`size` is optional, PROTOCOL.md 4.3). Bytes are
   * taken until the sender closes the channel, as the original receiver does; `size` is then
   * the bytes received.
   */
  sizeUnknown?: boolean;
  type: string;
  category: FileCategory;
  thumbnail?: string;
  /** Bytes acknowledged by the receiver (outgoing) or received (incoming). */
  bytes: number;
  /** Bytes per second over the last second or so. */
  rate: number;
  status: 'waiting' | 'transferring' | 'complete' | 'cancelled' | 'failed';
  sha256?: string;
  verification?: 'verified' | 'mismatch' | 'unchecked';
  /** Local object URL once complete. */
  url?: string;
  error?: string;
}

export interface ChatItem {
  id: string;
  out: boolean;
  timestamp: number;
  text?: string;
  rich?: string;
  file?: FileView;
  /** Outgoing only. */
  status?: DeliveryStatus;
  edited?: boolean;
  /** Audio track from the peer (local pseudo-message, PROTOCOL.md 5.4). */
  trackId?: string;
  /** Loaded from this browser's history (an earlier connection of a peer with this name). */
  restored?: boolean;
  /**
   * Incoming only: every msgpatch order received for this message, folded into one bounded order
   * (PROTOCOL.md 4.9). The original shows the base text with all of them applied, so an amend's
   * new text gets them again. In memory only: not kept in the history.
   */
  patch?: PatchOrder;
}

export interface PeerView {
  nodeId: string;
  name: string;
  colorIndex: number;
  /** From `/conns` only: `jwt`/`session` mean signed in (see `isSignedIn`). */
  authentication: string;
  /** From `/conns` only: a bot account. */
  isBot: boolean;
  /** The account's profile; fetched only for signed-in peers, absent until known. */
  account?: AccountProfile;
  /** The account behind a signed-in peer as `/conns` names it (older servers: absent). */
  username?: string;
  registeredAt: number;
  attributes: Record<string, string>;
  /** Listed by the server right now. */
  online: boolean;
  connection: RTCPeerConnectionState | 'none';
  chatOpen: boolean;
  supportsFiles: boolean;
  unread: number;
  lastActivity: number;
  lastPreview?: string;
  path?: { local: CandidateType; remote: CandidateType };
  /** The most the peer takes in one data-channel message (SCTP), once the chat channel is open. */
  maxMessageSize?: number;
}

export interface RttView {
  rtt: number;
  history: number[];
}

export interface AppState {
  status: SignallingStatus;
  nodeId: string | null;
  name: string;
  colorIndex: number | undefined;
  /** Our own `/conns` entry: how the server authenticated us, and our account's profile. */
  authentication: string;
  isBot: boolean;
  account?: AccountProfile;
  wsRtt?: number;
  wsRttHistory: number[];
  peers: Record<string, PeerView>;
  /**
   * Round trips over each peer's `ping` channel, by node id: kept apart from `peers` so a sample
   * (every second per peer) re-renders only what shows it, not the peer list.
   */
  peerRtt: Record<string, RttView>;
  messages: Record<string, ChatItem[]>;
  activePeer: string | null;
  notice?: { id: number; text: string };
  /** Our server hands out TURN relay credentials (turn.ts). */
  relayAvailable: boolean;
  /** The user asked to reach peers through the relay only (applies where it is available). */
  relayOnly: boolean;
}

export const initialState = (name: string, colorIndex?: number): AppState => ({
  status: 'idle',
  nodeId: null,
  name,
  colorIndex,
  authentication: '',
  isBot: false,
  wsRttHistory: [],
  peers: {},
  peerRtt: {},
  messages: {},
  activePeer: null,
  relayAvailable: false,
  relayOnly: false,
});

export const RTT_HISTORY = 60;

export function pushHistory(h: number[], v: number): number[] {
  const next = h.length >= RTT_HISTORY ? h.slice(h.length - RTT_HISTORY + 1) : h.slice();
  next.push(v);
  return next;
}

/**
 * The mark a file's row preview starts with, by category, as the original's (PROTOCOL.md 4.6);
 * the peer list draws each as an icon.
 */
export const FILE_PREVIEW_MARKS: Readonly<Record<FileCategory, string>> = {
  image: '🖼',
  video: '🎥',
  audio: '🎵',
  document: '📄',
  file: '📎',
};
