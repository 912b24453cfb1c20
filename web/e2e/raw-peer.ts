import type { Browser, BrowserContext, Page } from '@playwright/test';

/**
 * A scripted peer that speaks the original protocol (PROTOCOL.md 1, 4) from a bare page of the
 * server's origin, without the app: it registers, calls a user (offer with `chat` and `ping`) or
 * answers a call as the original client does (4.10: no glare handling), and then sends whatever
 * a test wants, hostile or not.
 */
export interface RawPeer {
  page: Page;
  name: string;
  /** Its node id. */
  id: string;
  /** The node id the server lists for `user`. */
  nodeId(user: string): Promise<string>;
  /** Calls the node registered as `user`; resolves when the `chat` channel is open. */
  call(user: string): Promise<void>;
  /**
   * Calls `user` sending all its ICE candidates before its offer (an offer without candidates in
   * its SDP), and takes none of the callee's: only the callee's checks can find the path.
   */
  callCandidatesFirst(user: string): Promise<void>;
  /**
   * From now on, an offer that arrives while this peer has no connection finds it calling too:
   * its own offer goes out first (both sides are initiators, as when two users click each other
   * at once), then it handles the incoming one as the original does.
   */
  collideOnNextOffer(): Promise<void>;
}

/** What the page keeps in `window.RP` (used inside `page.evaluate`). */
export interface RawPeerState {
  me: string;
  peer: string;
  pc: RTCPeerConnection;
  chat: RTCDataChannel;
  chatIn: string[];
  /** A ChatMessage from this peer with `body` merged in (`messageId` fresh unless given). */
  msg(body: object): Record<string, unknown>;
  send(body: object): string;
  /** Opens a channel with `label` on the peer connection; resolves when it opened or closed. */
  open(label: string): Promise<RTCDataChannel>;
  /**
   * Sends a file as the original does up to its first byte: opens a `file` channel, announces
   * `file` on `chat` with that channel's `dcId` and waits for the ACK (PROTOCOL.md 4.7).
   */
  announceFile(file: Record<string, unknown>): Promise<RTCDataChannel>;
  acked(messageId: string): boolean;
  /** Resolves once the remote ACKed `messageId` on `chat`. */
  waitAck(messageId: string): Promise<void>;
  /** Answers of ours that the remote took: the remote's offers this peer answered. */
  answered: number;
  /** See RawPeer.collideOnNextOffer. */
  collide: boolean;
  /** The `ping` channel this peer created as initiator (nothing sent on it unless a test does). */
  pingOut: RTCDataChannel;
  /** Frames received on `ping` channels the remote created (answered as the original does). */
  pingIn: string[];
  /** Files received on `file` channels the remote created, as the original receiver does. */
  filesIn: ReceivedFile[];
  /** Remote candidates are dropped (see callCandidatesFirst). */
  ignoreCandidates: boolean;
}

/** A file as the original receiver got it (PROTOCOL.md 4.7). */
export interface ReceivedFile {
  dcId: string;
  /** Sizes of the binary messages, in order. */
  chunks: number[];
  bytes: Uint8Array;
  /** Text frames on the channel (the original would take them for chunks). */
  texts: number;
  closed: boolean;
}

function install({ name, idAbove }: { name: string; idAbove: string }): Promise<string> {
  const rp = {} as RawPeerState & { pending: RTCIceCandidateInit[]; ws: WebSocket };
  (window as unknown as { RP: RawPeerState }).RP = rp;
  rp.chatIn = [];
  rp.pingIn = [];
  rp.filesIn = [];
  rp.ignoreCandidates = false;
  rp.pending = [];
  rp.answered = 0;
  rp.collide = false;
  const sig = (key: string, body: object) =>
    rp.ws.send(JSON.stringify({ [key]: { ...body, from_node_id: rp.me, to_node_id: rp.peer } }));
  rp.msg = (body) => ({
    messageId: crypto.randomUUID(),
    fromNodeId: rp.me,
    toNodeId: rp.peer,
    timestamp: Date.now(),
    ...body,
  });
  rp.send = (body) => {
    const m = rp.msg(body);
    rp.chat.send(JSON.stringify(m));
    return m.messageId as string;
  };
  rp.acked = (id) => rp.chatIn.some((d) => d.includes(`"ack":{"messageId":"${id}"}`));
  rp.waitAck = (id) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!rp.acked(id)) return;
        rp.chat.removeEventListener('message', check);
        resolve();
      };
      rp.chat.addEventListener('message', check);
      check();
    });
  rp.open = (label) =>
    new Promise((resolve) => {
      const ch = rp.pc.createDataChannel(label);
      ch.binaryType = 'arraybuffer';
      ch.onopen = ch.onclose = () => resolve(ch);
    });
  rp.announceFile = async (file) => {
    const ch = await rp.open('file');
    await rp.waitAck(rp.send({ file: { ...file, dcId: String(ch.id) } }));
    return ch;
  };
  // A connection to `peer` with the original's handlers; as initiator with `chat` and `ping`.
  const connect = (peer: string, initiator: boolean) => {
    rp.peer = peer;
    rp.pc = new RTCPeerConnection();
    rp.pc.onicecandidate = (e) =>
      e.candidate && sig('ice_offer', { offer_json: JSON.stringify(e.candidate) });
    const listen = (ch: RTCDataChannel) =>
      (ch.onmessage = (e) => {
        rp.chatIn.push(e.data as string);
        const m = JSON.parse(e.data as string);
        if (!m.ack) rp.send({ ack: { messageId: m.messageId } }); // as the original does
      });
    rp.pc.ondatachannel = (e) => {
      const ch = e.channel;
      if (ch.label === 'ping') {
        // The original acceptor answers any message with a `ping` field with a pong.
        ch.onmessage = (ev) => {
          rp.pingIn.push(ev.data as string);
          const m = JSON.parse(ev.data as string);
          if (!m.ping) return;
          const pong = { direction: 'pong', seq: m.ping.seq };
          const reply = { messageId: crypto.randomUUID(), timestamp: Date.now(), ping: pong };
          ch.send(JSON.stringify({ ...reply, fromNodeId: m.toNodeId, toNodeId: m.fromNodeId }));
        };
      }
      if (ch.label === 'file') {
        // The original receiver: a 0-word at open, one word per chunk, complete on close.
        const file: ReceivedFile = {
          dcId: String(ch.id),
          chunks: [],
          bytes: new Uint8Array(0),
          texts: 0,
          closed: false,
        };
        rp.filesIn.push(file);
        const word = (n: number) => {
          const b = new ArrayBuffer(4);
          new DataView(b).setUint32(0, n);
          ch.send(b);
        };
        ch.onopen = () => {
          ch.binaryType = 'arraybuffer';
          word(0);
        };
        ch.onmessage = (ev) => {
          if (typeof ev.data === 'string') return void file.texts++;
          const chunk = new Uint8Array(ev.data as ArrayBuffer);
          const all = new Uint8Array(file.bytes.length + chunk.length);
          all.set(file.bytes);
          all.set(chunk, file.bytes.length);
          file.bytes = all;
          file.chunks.push(chunk.length);
          word(chunk.length);
        };
        ch.onclose = () => (file.closed = true);
      }
      if (ch.label !== 'chat') return;
      listen(ch);
      if (!initiator) rp.chat = ch;
    };
    if (initiator) {
      rp.chat = rp.pc.createDataChannel('chat');
      listen(rp.chat);
      rp.pingOut = rp.pc.createDataChannel('ping');
    }
  };
  const offer = async () => {
    await rp.pc.setLocalDescription();
    sig('sdp_offer', { type: 'offer', offer_json: JSON.stringify(rp.pc.localDescription) });
  };
  const dial = (): Promise<string> =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/api/ws');
      rp.ws = ws;
      let keepAlive: ReturnType<typeof setInterval> | undefined;
      ws.onopen = () => {
        // As the original registers (PROTOCOL.md 7.2, 9): colour and attachment support.
        const attributes = { preferred_color: '5', support_attachment: 'true' };
        ws.send(
          JSON.stringify({
            register: { node_name: name },
            attributes_announcement: { attributes },
          }),
        );
        keepAlive = setInterval(() => {
          const echo = { direction: 'ping', correlation_id: 'raw', server_timestamp: 0 };
          ws.send(JSON.stringify({ echo: { ...echo, timestamp: Date.now(), seq_id: 1 } }));
        }, 1000);
      };
      ws.onclose = () => clearInterval(keepAlive);
      ws.onmessage = async (ev) => {
        const m = JSON.parse(ev.data as string);
        if (m.register && m.node_id) {
          if (m.node_id <= idAbove) {
            // Not the id wanted: register again on a new connection.
            ws.onmessage = null;
            ws.close();
            return resolve(dial());
          }
          rp.me = m.node_id;
          resolve(m.node_id);
        }
        const sdp = m.sdp_offer?.to_node_id === rp.me ? m.sdp_offer : null;
        if (sdp?.type === 'answer') {
          await rp.pc.setRemoteDescription(JSON.parse(sdp.offer_json));
          for (const c of rp.pending.splice(0)) await rp.pc.addIceCandidate(c);
        }
        if (sdp?.type === 'offer') {
          if (!rp.pc && rp.collide) {
            rp.collide = false;
            connect(sdp.from_node_id, true);
            // Its own offer goes out once its candidates are gathered, and the incoming offer
            // is handled right after (Chromium can wedge a connection rolled back while it still
            // gathers: it never gathers again, whatever the other side does).
            const pc = rp.pc;
            await pc.setLocalDescription();
            await new Promise<void>((done) => {
              const check = () => pc.iceGatheringState === 'complete' && done();
              pc.addEventListener('icegatheringstatechange', check);
              check();
            });
            sig('sdp_offer', { type: 'offer', offer_json: JSON.stringify(pc.localDescription) });
          }
          if (!rp.pc) connect(sdp.from_node_id, false);
          // The original: setRemoteDescription not awaited, then answer (PROTOCOL.md 4.10). In a
          // browser an offer arriving in `have-local-offer` implicitly rolls back our own offer.
          void rp.pc.setRemoteDescription(JSON.parse(sdp.offer_json));
          await rp.pc.setLocalDescription(await rp.pc.createAnswer());
          sig('sdp_offer', { type: 'answer', offer_json: JSON.stringify(rp.pc.localDescription) });
          rp.answered++;
          for (const c of rp.pending.splice(0)) await rp.pc.addIceCandidate(c).catch(() => {});
        }
        if (m.ice_offer?.to_node_id === rp.me && !rp.ignoreCandidates) {
          const c = JSON.parse(m.ice_offer.offer_json);
          if (rp.pc?.remoteDescription) await rp.pc.addIceCandidate(c).catch(() => {});
          else rp.pending.push(c);
        }
      };
    });
  return dial().then((me) => {
    // Calls are placed from here on; the offer goes out when `call` names the user.
    (window as unknown as { call: (peer: string) => Promise<void> }).call = async (peer) => {
      connect(peer, true);
      await offer();
      await new Promise((r) => (rp.chat.onopen = r));
    };
    (window as unknown as { callEarly: (peer: string) => Promise<void> }).callEarly = async (
      peer,
    ) => {
      rp.ignoreCandidates = true;
      connect(peer, true);
      const pc = rp.pc;
      const candidates: string[] = [];
      pc.onicecandidate = (e) => e.candidate && candidates.push(JSON.stringify(e.candidate));
      const bare = await pc.createOffer();
      await pc.setLocalDescription(bare);
      await new Promise<void>((done) => {
        const check = () => pc.iceGatheringState === 'complete' && done();
        pc.addEventListener('icegatheringstatechange', check);
        check();
      });
      for (const c of candidates) sig('ice_offer', { offer_json: c });
      sig('sdp_offer', { type: 'offer', offer_json: JSON.stringify(bare) });
      await new Promise((r) => (rp.chat.onopen = r));
    };
    return me as string;
  });
}

/** Contexts of the raw peers made so far; the `users` fixture closes them after each test. */
const opened = new Set<BrowserContext>();

export async function closeRawPeers(): Promise<void> {
  const all = [...opened];
  opened.clear();
  await Promise.all(all.map((c) => c.close()));
}

/** `idAbove`: register until the server assigns a node id larger than this one. */
export async function rawPeer(
  browser: Browser,
  url: string,
  name: string,
  idAbove = '',
): Promise<RawPeer> {
  const context = await browser.newContext();
  opened.add(context);
  const page = await context.newPage();
  await page.goto(`${url}/servers.json`); // any document of the server's origin
  const id = await page.evaluate(install, { name, idAbove });
  return {
    page,
    name,
    id,
    async collideOnNextOffer() {
      await page.evaluate(() => {
        (window as unknown as { RP: RawPeerState }).RP.collide = true;
      });
    },
    nodeId: (user: string) => nodeId(page, user),
    async callCandidatesFirst(user: string) {
      const id = await nodeId(page, user);
      await page.evaluate(async (id) => {
        await (window as unknown as { callEarly: (peer: string) => Promise<void> }).callEarly(id);
      }, id);
    },
    async call(user: string) {
      const id = await nodeId(page, user);
      await page.evaluate(async (id) => {
        await (window as unknown as { call: (peer: string) => Promise<void> }).call(id);
      }, id);
    },
  };
}

/** The node id the server lists for `user` (`/api/conns`), or ''. */
function nodeId(page: Page, user: string): Promise<string> {
  return page.evaluate(async (user) => {
    const conns = (await (await fetch('/api/conns')).json()) as Record<
      string,
      { node_name?: string }
    >;
    return Object.entries(conns).find(([, c]) => c.node_name === user)?.[0] ?? '';
  }, user);
}
