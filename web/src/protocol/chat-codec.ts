import {
  isObject,
  optObject,
  optString,
  optUint,
  parseJson,
  reqString,
  type JsonObject,
} from './json';
import { DecodeError, fail, ok, type Result } from './result';
import type { ChatMessage, ChatMessageFile, FileCategory } from './types';

/** Limits for untrusted peer messages: generous for people, tight enough to bound memory. */
export const MAX_CHAT_FRAME = 256 * 1024;
export const MAX_TEXT = 64 * 1024;
export const MAX_ID = 128;
export const MAX_FILE_NAME = 1024;
export const MAX_THUMBNAIL = 128 * 1024;

const CATEGORIES: readonly FileCategory[] = ['file', 'image', 'video', 'audio', 'document'];
const THUMBNAIL_PREFIX = /^data:image\/(jpeg|png|webp|gif);base64,[A-Za-z0-9+/=\s]*$/;

/**
 * Decodes one ChatMessage from a `chat` or `ping` channel (PROTOCOL.md 4.3). Fields a peer
 * has no business sending (`acked`, `url`, `songTrack`, `unread`) are dropped; `fromNodeId`
 * is kept only as a claim: callers attribute a message to the session it arrived on.
 */
export function decodeChatMessage(text: string, depth = 0): Result<ChatMessage> {
  if (text.length > MAX_CHAT_FRAME) return fail('too_large', 'chat frame too large');
  try {
    const o = parseJson(text);
    if (!isObject(o)) return fail('not_an_object', 'a chat message must be an object');
    return ok(readChat(o, depth));
  } catch (e) {
    if (e instanceof DecodeError) return fail(e.code, e.message);
    throw e;
  }
}

export function encodeChatMessage(m: ChatMessage): string {
  return JSON.stringify(m);
}

function boundedId(o: JsonObject, key: string, where: string): string {
  const v = reqString(o, key, where);
  if (v.length === 0 || v.length > MAX_ID) {
    throw new DecodeError('invalid_value', `${where}.${key} must be 1..${MAX_ID} characters`);
  }
  return v;
}

/**
 * Text beyond MAX_TEXT is cut (with "…") rather than refused: the message is still shown and
 * ACKed, so its sender does not wait for an ACK that never comes.
 */
function boundedText(o: JsonObject, key: string, where: string): string | undefined {
  const v = optString(o, key, where);
  return v === undefined ? v : capText(v);
}

/** A text cut to MAX_TEXT characters (plus "…"), never inside a surrogate pair. */
export function capText(v: string): string {
  if (v.length <= MAX_TEXT) return v;
  const cut = /[\uD800-\uDBFF]$/.test(v.slice(0, MAX_TEXT)) ? MAX_TEXT - 1 : MAX_TEXT;
  return `${v.slice(0, cut)}…`;
}

function readChat(o: JsonObject, depth: number): ChatMessage {
  // The claims nothing is derived from (authorship is the link, times are the receiver's clock)
  // are read leniently: a wrong type there does not cost the peer its message and its ACK.
  const claim = (key: string) => (typeof o[key] === 'string' ? (o[key] as string) : '');
  const m: ChatMessage = {
    messageId: boundedId(o, 'messageId', 'message'),
    fromNodeId: claim('fromNodeId').slice(0, MAX_ID),
    toNodeId: claim('toNodeId').slice(0, MAX_ID),
    timestamp: typeof o.timestamp === 'number' && Number.isFinite(o.timestamp) ? o.timestamp : 0,
  };
  const text = boundedText(o, 'message', 'message');
  if (text !== undefined) m.message = text;

  const rich = optObject(o, 'richText', 'message');
  if (rich) {
    m.richText = {
      content: boundedText(rich, 'content', 'richText') ?? '',
      type: (optString(rich, 'type', 'richText') ?? 'text/plain').slice(0, 100),
    };
  }

  const file = optObject(o, 'file', 'message');
  if (file) m.file = readFile(file);

  const ping = optObject(o, 'ping', 'message');
  if (ping) {
    const direction = optString(ping, 'direction', 'ping');
    if (direction !== 'ping' && direction !== 'pong') {
      throw new DecodeError('invalid_value', 'ping.direction must be ping or pong');
    }
    m.ping = { direction, seq: optUint(ping, 'seq', 'ping') ?? 0 };
  }

  const ack = optObject(o, 'ack', 'message');
  if (ack) m.ack = { messageId: boundedId(ack, 'messageId', 'ack') };

  const amend = optObject(o, 'amend', 'message');
  if (amend) {
    if (depth > 0) throw new DecodeError('invalid_value', 'nested amend');
    const json = reqString(amend, 'newMessageJSON', 'amend');
    if (json.length > MAX_CHAT_FRAME) throw new DecodeError('too_large', 'amend too large');
    m.amend = { messageId: boundedId(amend, 'messageId', 'amend'), newMessageJSON: json };
  }

  const del = optObject(o, 'delete', 'message');
  if (del) m.delete = { messageId: boundedId(del, 'messageId', 'delete') };
  return m;
}

function readFile(f: JsonObject): ChatMessageFile {
  const category = optString(f, 'category', 'file') ?? 'file';
  // A string as the original sends it (PROTOCOL.md 4.3); a stream id as a JSON number is taken
  // too (a peer written from the table may well send one), rather than dropping the message.
  const rawDcId = f.dcId;
  const dcId =
    typeof rawDcId === 'number' && Number.isInteger(rawDcId) && rawDcId >= 0 && rawDcId <= 65535
      ? String(rawDcId)
      : (optString(f, 'dcId', 'file') ?? '');
  if (dcId !== '' && !/^\d{1,5}$/.test(dcId)) {
    throw new DecodeError('invalid_value', 'file.dcId must be a decimal stream id');
  }
  const out: ChatMessageFile = {
    category: (CATEGORIES as readonly string[]).includes(category)
      ? (category as FileCategory)
      : 'file',
    dcId,
  };
  const name = optString(f, 'name', 'file');
  if (name !== undefined) out.name = name.slice(0, MAX_FILE_NAME);
  // A size that is not a byte count (negative, fractional, a string, beyond 2^53) is left out:
  // the announcement is shown and ACKed, and its bytes are taken as for one without a size
  // (until the sender closes the channel; client.ts attachIncoming).
  const size = f.size;
  if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) out.size = size;
  const type = optString(f, 'type', 'file');
  if (type !== undefined) out.type = type.slice(0, 200);
  const sha = optString(f, 'sha256', 'file');
  if (sha !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(sha))
      throw new DecodeError('invalid_value', 'file.sha256 must be hex');
    out.sha256 = sha.toLowerCase();
  }
  const thumb = optObject(f, 'thumbnail', 'file');
  if (thumb) {
    const dataURL = optString(thumb, 'dataURL', 'thumbnail') ?? '';
    // Only inline raster images: no remote URLs (tracking) and no SVG (script).
    if (dataURL.length <= MAX_THUMBNAIL && THUMBNAIL_PREFIX.test(dataURL)) {
      out.thumbnail = {
        dataURL,
        mime: (optString(thumb, 'mime', 'thumbnail') ?? '').slice(0, 100),
      };
    }
  }
  return out;
}
