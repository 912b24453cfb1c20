import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from './backoff';
import { SignallingClient } from './signalling-client';

class FakeSocket {
  static OPEN = 1;
  static CONNECTING = 0;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {}
  send(s: string) {
    this.sent.push(s);
  }
  close() {
    this.readyState = 3;
  }
  // test helpers
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(obj: unknown) {
    this.onmessage?.({ data: JSON.stringify(obj) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

describe('SignallingClient', () => {
  let sockets: FakeSocket[];
  let client: SignallingClient;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    sockets = [];
    client = new SignallingClient({
      url: 'ws://127.0.0.1:1/api/ws',
      hello: () => ({
        register: { node_name: 'alice' },
        attributes_announcement: { attributes: { support_attachment: 'true' } },
      }),
      createSocket: (u) => {
        const s = new FakeSocket(u);
        sockets.push(s);
        return s as unknown as WebSocket;
      },
      random: () => 0.999,
    });
  });
  afterEach(() => {
    client.stop();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('registers with one frame carrying register and attributes, then pings every second', () => {
    client.start();
    client.start(); // idempotent
    expect(sockets).toHaveLength(1);
    sockets[0]!.open();
    const first = JSON.parse(sockets[0]!.sent[0]!);
    expect(first).toEqual({
      register: { node_name: 'alice' },
      attributes_announcement: { attributes: { support_attachment: 'true' } },
    });
    const ping = JSON.parse(sockets[0]!.sent[1]!).echo;
    expect(ping).toMatchObject({ direction: 'ping', seq_id: 0, server_timestamp: 0 });
    vi.advanceTimersByTime(1000);
    expect(JSON.parse(sockets[0]!.sent[2]!).echo.seq_id).toBe(1);
  });

  it('reports registration, RTT from matching pongs, and passes other frames on', () => {
    const registered = vi.fn();
    const rtt = vi.fn();
    const msg = vi.fn();
    client.on('registered', registered);
    client.on('rtt', rtt);
    client.on('message', msg);
    client.start();
    sockets[0]!.open();
    const ping = JSON.parse(sockets[0]!.sent[1]!).echo;
    sockets[0]!.receive({ node_id: 'N1', register: { node_name: 'alice' } });
    expect(registered).toHaveBeenCalledWith({ nodeId: 'N1', name: 'alice' });
    expect(client.status).toBe('online');
    sockets[0]!.receive({
      node_id: 'N1',
      echo: { ...ping, direction: 'pong', server_timestamp: 5 },
    });
    expect(rtt).toHaveBeenCalledTimes(1);
    // A pong for someone else's correlation id is not ours.
    sockets[0]!.receive({ echo: { ...ping, direction: 'pong', correlation_id: 'other' } });
    expect(rtt).toHaveBeenCalledTimes(1);
    sockets[0]!.receive({ online: { node_id: 'N2' } });
    expect(msg).toHaveBeenCalledWith({ online: { node_id: 'N2' } });
  });

  it('does not take a relayed frame with register keys as its own registration', () => {
    client.start();
    sockets[0]!.open();
    sockets[0]!.receive({ node_id: 'N1', register: { node_name: 'alice' } });
    sockets[0]!.receive({
      node_id: 'EVIL',
      register: { node_name: 'x' },
      sdp_offer: { type: 'offer', offer_json: '{}', from_node_id: 'B', to_node_id: 'N1' },
    });
    expect(client.nodeId).toBe('N1');
  });

  it('drops invalid frames without closing', () => {
    const err = vi.fn();
    client.on('error', err);
    client.start();
    sockets[0]!.open();
    sockets[0]!.onmessage?.({ data: '{"echo":{"seq_id":-1}}' });
    expect(err).toHaveBeenCalledWith(expect.objectContaining({ code: 'bad_signal' }));
    expect(sockets[0]!.readyState).toBe(1);
  });

  it('reconnects with growing, capped backoff and re-registers', () => {
    const statuses: string[] = [];
    client.on('status', (s) => statuses.push(s));
    client.start();
    sockets[0]!.open();
    sockets[0]!.receive({ node_id: 'N1', register: { node_name: 'alice' } });
    sockets[0]!.drop();
    expect(client.status).toBe('offline');
    expect(client.nodeId).toBeNull();
    vi.advanceTimersByTime(backoffDelay(0, 500, 8000, () => 0.999) - 1);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1]!.drop(); // refused again: the next wait is longer
    vi.advanceTimersByTime(backoffDelay(1, 500, 8000, () => 0.999) - 1);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    sockets[2]!.open();
    expect(JSON.parse(sockets[2]!.sent[0]!).register).toEqual({ node_name: 'alice' });
    expect(statuses).toEqual([
      'connecting',
      'online',
      'offline',
      'connecting',
      'offline',
      'connecting',
    ]);
  });

  it('treats a silent server as dead after missed pongs', () => {
    client.start();
    sockets[0]!.open();
    vi.advanceTimersByTime(5000);
    expect(client.status).toBe('offline');
  });

  it('stops for good', () => {
    client.start();
    sockets[0]!.open();
    client.stop();
    client.stop();
    vi.advanceTimersByTime(60000);
    expect(sockets).toHaveLength(1);
    expect(client.status).toBe('idle');
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter in [0.5, 1) and is capped', () => {
    expect(backoffDelay(0, 500, 8000, () => 0)).toBe(250);
    expect(backoffDelay(3, 500, 8000, () => 0.5)).toBe(3000);
    expect(backoffDelay(20, 500, 8000, () => 0.999)).toBeLessThanOrEqual(8000);
    expect(backoffDelay(20, 500, 8000, () => 0)).toBe(4000);
  });
});
