// Wire types of the original protocol (spec/PROTOCOL.md sections 1, 4 and 7.9).
// Field names are kept exactly as on the wire (snake_case signalling, camelCase chat).

export interface IdentityProvider {
  name: string;
  kind: string;
  loginUrl: string;
}

/** One entry of `/servers.json` (PROTOCOL.md 7.9). */
export interface ServerEntry {
  id: string;
  name: string;
  url: string;
  apiPrefix: string;
  iceServers: string[];
  idp: IdentityProvider[];
  allowAnonymous: boolean;
}

export interface EchoPayload {
  direction: 'ping' | 'pong';
  correlation_id: string;
  server_timestamp: number;
  timestamp: number;
  seq_id: number;
}

export interface Preference {
  name?: string;
  indexOfPreferColor?: number;
}

export interface RenamePayload {
  new_preference: Preference;
  origin_node_name?: string;
}

export interface SdpOfferPayload {
  type: 'offer' | 'answer';
  offer_json: string;
  from_node_id: string;
  to_node_id: string;
}

export interface IceOfferPayload {
  offer_json: string;
  from_node_id: string;
  to_node_id: string;
}

export interface AttributesAnnouncement {
  attributes?: Record<string, string>;
  withdrawals?: string[];
}

/** A signalling frame: one JSON object whose keys are all optional (PROTOCOL.md 1.2). */
export interface SignalEnvelope {
  node_id?: string;
  register?: { node_name: string; token?: string };
  echo?: EchoPayload;
  rename?: RenamePayload;
  online?: { node_id: string };
  offline?: { node_id: string };
  sdp_offer?: SdpOfferPayload;
  ice_offer?: IceOfferPayload;
  attributes_announcement?: AttributesAnnouncement;
  error?: { code: string; message: string };
}

export type FileCategory = 'file' | 'image' | 'video' | 'audio' | 'document';

export interface ChatMessageFile {
  category: FileCategory;
  name?: string;
  size?: number;
  type?: string;
  dcId: string;
  thumbnail?: { dataURL: string; mime: string };
  /** Additive: lowercase hex SHA-256 of the whole file, checked by the receiver. */
  sha256?: string;
}

/** A ChatMessage as sent on `chat` and `ping` channels (PROTOCOL.md 4.3). */
export interface ChatMessage {
  messageId: string;
  fromNodeId: string;
  toNodeId: string;
  timestamp: number;
  message?: string;
  richText?: { content: string; type: string };
  file?: ChatMessageFile;
  ping?: { direction: 'ping' | 'pong'; seq: number };
  ack?: { messageId: string };
  amend?: { messageId: string; newMessageJSON: string };
  delete?: { messageId: string };
  /**
   * Additive: features the sender takes in replies (space-separated tokens; `msgpatch-stream`:
   * ChatBot streams its answer as msgpatch orders). Original peers ignore the field.
   */
  tincanFeatures?: string;
}

/** One registry entry of `GET {apiPrefix}/conns` after validation. */
export interface ConnEntry {
  nodeId: string;
  name: string;
  connectedAt: number;
  registeredAt?: number;
  attributes: Record<string, string>;
  /** `jwt` or `session` for signed-in nodes, `none` (or `""`) for visitors. Set by the server. */
  authentication: string;
  /** Additive `is_bot`: the server says this node is a bot account. */
  isBot: boolean;
  /** Additive `username`: the account of a signed-in node (`""` when absent). */
  username: string;
}

/** `GET {apiPrefix}/profile?username=` after validation (PROTOCOL.md 2.2, camelCase keys). */
export interface AccountProfile {
  username: string;
  /** Cleaned like a node name; absent when the account has none. */
  displayName?: string;
  /** The account has an avatar (served by `{apiPrefix}/profile/avatar?username=`). */
  hasAvatar: boolean;
  isBot: boolean;
}
