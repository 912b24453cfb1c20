import {
  decodeChatMessage,
  encodeChatMessage,
  MAX_CHAT_FRAME,
  type ChatMessage,
} from '../protocol';

/**
 * The `chat` and `ping` channels of one peer. After glare both sides may have created their
 * own pair, so a link keeps every channel with a label and sends on the first open one.
 */
export class ChannelSet {
  private channels: RTCDataChannel[] = [];

  add(ch: RTCDataChannel) {
    this.channels.push(ch);
    ch.addEventListener('close', () => {
      this.channels = this.channels.filter((c) => c !== ch);
    });
  }

  get open(): RTCDataChannel | undefined {
    return this.channels.find((c) => c.readyState === 'open');
  }

  get size(): number {
    return this.channels.length;
  }

  send(m: ChatMessage, via?: RTCDataChannel): boolean {
    const ch = via && via.readyState === 'open' ? via : this.open;
    if (!ch) return false;
    try {
      ch.send(encodeChatMessage(m));
      return true;
    } catch (e) {
      console.warn('chat: send failed', e);
      return false;
    }
  }

  closeAll() {
    for (const c of this.channels) c.close();
    this.channels = [];
  }
}

export function parseIncoming(data: unknown): ChatMessage | null {
  if (typeof data !== 'string') return null;
  const r = decodeChatMessage(data);
  if (!r.ok) {
    console.warn('chat: dropped message', r.error.code, r.error.message);
    return null;
  }
  return r.value;
}

/**
 * What an ACK to a message the codec refused needs: its id and node ids, where the frame is a JSON
 * object with a string `messageId` and no `ack`. The original ACKs every non-ACK JSON message on
 * `chat`, whatever else it holds (PROTOCOL.md 4.4), and hides a sent message until its ACK comes:
 * a message we cannot show is still ACKed, so its sender does not lose it from view. Not a file
 * announcement (see below).
 */
export function ackableRefused(
  data: unknown,
): Pick<ChatMessage, 'messageId' | 'fromNodeId' | 'toNodeId'> | null {
  if (typeof data !== 'string' || data.length > MAX_CHAT_FRAME) return null;
  let o: unknown;
  try {
    o = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const { messageId, fromNodeId, toNodeId, ack, file } = o as Record<string, unknown>;
  if (typeof messageId !== 'string' || ack !== undefined) return null;
  // Except a file announcement: ACKed, its sender would stream the file into a channel we do not
  // take and read our closing it as completion (PROTOCOL.md 4.7); unACKed, it gives up after 3 s.
  if (file !== undefined && file !== null) return null;
  const id = (v: unknown) => (typeof v === 'string' ? v : '');
  return { messageId, fromNodeId: id(fromNodeId), toNodeId: id(toNodeId) };
}

/**
 * A token bucket: `take()` is true while a peer stays within `perSecond` messages on average,
 * with bursts of up to `burst`. Frames beyond it are dropped unread: a peer sending faster than
 * the page can decode, ACK and store messages would otherwise keep the tab frozen for as long as
 * it likes (174 000 messages in 10 s froze it for 55 s).
 */
export class RateLimit {
  private tokens: number;
  private last: number;
  /** Frames dropped since the last report. */
  dropped = 0;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.dropped++;
    return false;
  }
}
