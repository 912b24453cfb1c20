import { decodeSignal, encodeSignal, type SignalEnvelope } from '../protocol';
import { backoffDelay } from './backoff';
import { Emitter, type RtcError } from './emitter';

// WebSocket readyState values (not read from the global, which Node lacks in tests).
const WS_CONNECTING = 0;
const WS_OPEN = 1;

export type SignallingStatus = 'idle' | 'connecting' | 'online' | 'offline';

export interface SignallingEvents {
  status: SignallingStatus;
  /** Registration confirmed: our node id and the name the server settled on. */
  registered: { nodeId: string; name: string };
  /** A validated frame that is not a register reply or a pong. */
  message: SignalEnvelope;
  /** WebSocket echo round-trip time in ms. */
  rtt: number;
  error: RtcError;
}

export interface SignallingOptions {
  url: string;
  /** Builds the first frame (register + attributes) for each new connection. */
  hello: () => SignalEnvelope;
  pingIntervalMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Consecutive unanswered pings after which the socket is considered dead. */
  maxMissedPongs?: number;
  createSocket?: (url: string) => WebSocket;
  random?: () => number;
}

/**
 * The signalling WebSocket: registers on every (re)connect, pings every second (the original's
 * keep-alive), measures RTT and reconnects with exponential backoff and jitter until stopped.
 * `start()`/`stop()` are idempotent.
 */
export class SignallingClient extends Emitter<SignallingEvents> {
  private ws: WebSocket | null = null;
  private running = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private seq = 0;
  private pending = new Map<number, number>();
  private readonly correlationId = crypto.randomUUID();
  private _status: SignallingStatus = 'idle';
  private _nodeId: string | null = null;

  constructor(private readonly opts: SignallingOptions) {
    super();
  }

  get status(): SignallingStatus {
    return this._status;
  }
  get nodeId(): string | null {
    return this._nodeId;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.teardown();
    this.setStatus('idle');
  }

  /** Sends a frame if the socket is open; returns whether it was handed to the socket. */
  send(envelope: SignalEnvelope): boolean {
    if (!this.ws || this.ws.readyState !== WS_OPEN) return false;
    this.ws.send(encodeSignal(envelope));
    return true;
  }

  /** Reconnect now (e.g. after the browser reports it is back online). */
  kick(): void {
    if (!this.running || this._status === 'online' || this._status === 'connecting') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  private setStatus(s: SignallingStatus) {
    if (this._status === s) return;
    this._status = s;
    this.emit('status', s);
  }

  private connect() {
    this.setStatus('connecting');
    let ws: WebSocket;
    try {
      ws = (this.opts.createSocket ?? ((u) => new WebSocket(u)))(this.opts.url);
    } catch (e) {
      this.emit('error', { code: 'signalling_refused', message: String(e) });
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.seq = 0;
      this.pending.clear();
      ws.send(encodeSignal(this.opts.hello()));
      this.ping();
      this.pingTimer = setInterval(() => this.ping(), this.opts.pingIntervalMs ?? 1000);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      this.handle(ev.data);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.dropSocket();
    };
    ws.onerror = () => {
      /* onclose follows and decides */
    };
  }

  private handle(text: string) {
    const r = decodeSignal(text);
    if (!r.ok) {
      console.warn('signalling: dropped frame', r.error.code, r.error.message);
      this.emit('error', { code: 'bad_signal', message: `${r.error.code}: ${r.error.message}` });
      return;
    }
    const env = r.value;
    if (
      env.echo &&
      env.echo.direction === 'pong' &&
      env.echo.correlation_id === this.correlationId
    ) {
      const sent = this.pending.get(env.echo.seq_id);
      this.pending.clear();
      if (sent !== undefined) this.emit('rtt', performance.now() - sent);
      return;
    }
    // A register reply: only when the frame is not a relayed sdp/ice frame (PROTOCOL.md 1.3).
    if (env.register && env.node_id && !env.sdp_offer && !env.ice_offer) {
      this._nodeId = env.node_id;
      this.attempt = 0;
      this.setStatus('online');
      this.emit('registered', { nodeId: env.node_id, name: env.register.node_name });
      if (!env.online && !env.rename && !env.offline) return;
    }
    if (env.error) {
      this.emit('error', {
        code: 'signalling_refused',
        message: `${env.error.code}: ${env.error.message}`,
      });
    }
    this.emit('message', env);
  }

  private ping() {
    if (!this.ws || this.ws.readyState !== WS_OPEN) return;
    if (this.pending.size >= (this.opts.maxMissedPongs ?? 5)) {
      // The server stopped answering: treat the socket as dead and reconnect.
      console.warn('signalling: no pong, reconnecting');
      this.dropSocket();
      return;
    }
    const seq = this.seq++;
    this.pending.set(seq, performance.now());
    this.send({
      echo: {
        direction: 'ping',
        correlation_id: this.correlationId,
        server_timestamp: 0,
        timestamp: Date.now(),
        seq_id: seq,
      },
    });
  }

  private dropSocket() {
    this.teardown();
    if (this.running) {
      this.setStatus('offline');
      this.scheduleRetry();
    }
  }

  private scheduleRetry() {
    if (!this.running || this.retryTimer) return;
    const delay = backoffDelay(
      this.attempt++,
      this.opts.backoffBaseMs ?? 500,
      this.opts.backoffMaxMs ?? 8000,
      this.opts.random,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.connect();
    }, delay);
  }

  private teardown() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this._nodeId = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState === WS_OPEN || ws.readyState === WS_CONNECTING) ws.close();
    }
  }
}
