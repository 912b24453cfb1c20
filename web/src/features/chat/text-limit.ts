import { encodeChatMessage, MAX_CHAT_FRAME, MAX_ID, MAX_TEXT } from '../../protocol';

/**
 * What a receiver takes in one chat message: a frame of at most MAX_CHAT_FRAME characters
 * (larger frames are dropped unread, so never ACKed) whose text is at most MAX_TEXT UTF-16
 * units (beyond that it is cut with "…"). The frame is the JSON of the whole message, so
 * quotes, backslashes, newlines and control characters count twice or six times. Counting
 * the frame in UTF-8 bytes also keeps it within the SCTP message size browsers offer
 * (256 KiB), and bytes are never fewer than characters.
 */
export const TEXT_LIMIT = MAX_TEXT;

/** Shown from here on: the counter appears as the limit is approached. */
export const COUNTER_FROM = Math.floor(TEXT_LIMIT * 0.8);

export interface TextMeasure {
  /** UTF-16 units, what the receiver counts. */
  length: number;
  fits: boolean;
  /** Within TEXT_LIMIT but too large once encoded (escapes, multi-byte characters). */
  frameTooLarge: boolean;
}

const utf8 = new TextEncoder();

/**
 * The largest frame our sendText (or, for an edit, editMessage's amend, which carries the new
 * message as JSON inside the JSON) can make around this text, ids at their longest.
 */
function frameBytes(text: string, edit: boolean): number {
  const longest = 'x'.repeat(MAX_ID);
  const head = {
    messageId: longest,
    fromNodeId: longest,
    toNodeId: longest,
    timestamp: Date.now(),
  };
  const message = encodeChatMessage({ ...head, message: text, tincanFeatures: 'msgpatch-stream' });
  const frame = edit
    ? encodeChatMessage({ ...head, amend: { messageId: longest, newMessageJSON: message } })
    : message;
  return utf8.encode(frame).length;
}

/**
 * `maxFrame`: the most the receiving peer takes in one data-channel message (its SCTP
 * `maxMessageSize`: 64 KiB for the bots, 256 KiB for browsers), when smaller than MAX_CHAT_FRAME.
 */
export function measureText(
  text: string,
  kind: 'message' | 'edit' = 'message',
  maxFrame: number = MAX_CHAT_FRAME,
): TextMeasure {
  const length = text.length;
  if (length > TEXT_LIMIT) return { length, fits: false, frameTooLarge: false };
  const limit = Math.min(MAX_CHAT_FRAME, maxFrame > 0 ? maxFrame : MAX_CHAT_FRAME);
  // Six bytes per unit (a "\u0001" escape) is the most a character can take in a message
  // frame; an edit escapes it once more (up to 7).
  const most = kind === 'edit' ? 7 : 6;
  if (length * most + 4096 <= limit) return { length, fits: true, frameTooLarge: false };
  const fits = frameBytes(text, kind === 'edit') <= limit;
  return { length, fits, frameTooLarge: !fits };
}

/** 70123 -> "70 123" (narrow no-break spaces, as the counter shows it). */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}
