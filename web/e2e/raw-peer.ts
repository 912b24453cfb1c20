import type { Browser, Page } from '@playwright/test';

/**
 * A scripted peer that speaks the original protocol (PROTOCOL.md 1, 4) from a bare page of the
 * server's origin, without the app: it registers, calls a user (offer with `chat` and `ping`),
 * and then sends whatever a test wants, hostile or not.
 */
export interface RawPeer {
  page: Page;
  name: string;
  /** Calls the node registered as `user`; resolves when the `chat` channel is open. */
  call(user: string): Promise<void>;
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
  acked(messageId: string): boolean;
}

function install(name: string): Promise<string> {
  const rp = {} as RawPeerState & { pending: RTCIceCandidateInit[]; ws: WebSocket };
  (window as unknown as { RP: RawPeerState }).RP = rp;
  rp.chatIn = [];
  rp.pending = [];
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
  rp.open = (label) =>
    new Promise((resolve) => {
      const ch = rp.pc.createDataChannel(label);
      ch.binaryType = 'arraybuffer';
      ch.onopen = ch.onclose = () => resolve(ch);
    });
  return new Promise((resolve) => {
    const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/api/ws');
    rp.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ register: { node_name: name } }));
      setInterval(() => {
        const echo = { direction: 'ping', correlation_id: 'raw', server_timestamp: 0 };
        ws.send(JSON.stringify({ echo: { ...echo, timestamp: Date.now(), seq_id: 1 } }));
      }, 1000);
    };
    ws.onmessage = async (ev) => {
      const m = JSON.parse(ev.data as string);
      if (m.register && m.node_id) {
        rp.me = m.node_id;
        resolve(m.node_id);
      }
      if (m.sdp_offer?.to_node_id === rp.me && m.sdp_offer.type === 'answer') {
        await rp.pc.setRemoteDescription(JSON.parse(m.sdp_offer.offer_json));
        for (const c of rp.pending.splice(0)) await rp.pc.addIceCandidate(c);
      }
      if (m.ice_offer?.to_node_id === rp.me) {
        const c = JSON.parse(m.ice_offer.offer_json);
        if (rp.pc.remoteDescription) await rp.pc.addIceCandidate(c);
        else rp.pending.push(c);
      }
    };
  }).then((me) => {
    // Calls are placed from here on; the offer goes out when `call` names the user.
    (window as unknown as { call: (peer: string) => Promise<void> }).call = async (peer) => {
      rp.peer = peer;
      rp.pc = new RTCPeerConnection();
      rp.pc.onicecandidate = (e) =>
        e.candidate && sig('ice_offer', { offer_json: JSON.stringify(e.candidate) });
      rp.chat = rp.pc.createDataChannel('chat');
      rp.pc.createDataChannel('ping');
      rp.chat.onmessage = (e) => {
        rp.chatIn.push(e.data as string);
        const m = JSON.parse(e.data as string);
        if (!m.ack) rp.send({ ack: { messageId: m.messageId } }); // as the original does
      };
      await rp.pc.setLocalDescription();
      sig('sdp_offer', { type: 'offer', offer_json: JSON.stringify(rp.pc.localDescription) });
      await new Promise((r) => (rp.chat.onopen = r));
    };
    return me as string;
  });
}

export async function rawPeer(browser: Browser, url: string, name: string): Promise<RawPeer> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${url}/servers.json`); // any document of the server's origin
  await page.evaluate(install, name);
  return {
    page,
    name,
    async call(user: string) {
      await page.evaluate(async (user) => {
        const conns = (await (await fetch('/api/conns')).json()) as Record<
          string,
          { node_name?: string }
        >;
        const id = Object.entries(conns).find(([, c]) => c.node_name === user)?.[0] ?? '';
        await (window as unknown as { call: (peer: string) => Promise<void> }).call(id);
      }, user);
    },
  };
}
