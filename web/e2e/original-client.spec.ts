import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, messages, openChat, send, test, uniq, waitConnected } from './helpers';
import { rawPeer, type RawPeerState } from './raw-peer';

// The app against a scripted peer that behaves on the wire as the original web client
// (PROTOCOL.md 4.1-4.10), in both roles.

declare global {
  interface Window {
    RP: RawPeerState;
  }
}

/** A received file's bytes, saved through its card's link once the card shows it complete. */
async function savedFile(page: Page, name: string) {
  const card = page.getByRole('group', { name: `File ${name}` });
  await expect(card).toHaveAttribute('data-transfer-status', 'complete');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('link', { name }).click(),
  ]);
  return readFileSync(await download.path());
}

type User = Awaited<ReturnType<Parameters<Parameters<typeof test>[2]>[0]['users']>>[number];
type Original = Awaited<ReturnType<typeof rawPeer>>;

/**
 * A test in which a user of the app (`rx`) is called by an original-like peer (`tx`), their chat
 * open in the app before `body` runs.
 */
function testCalledByOriginal(
  title: string,
  [rx, tx]: [string, string],
  body: (alice: User, original: Original) => Promise<void>,
) {
  test(title, async ({ users, browser, server }) => {
    const [alice] = await users(uniq(rx));
    const original = await rawPeer(browser, server.url, uniq(tx));
    await original.call(alice!.name);
    await openChat(alice!.page, original.name);
    await body(alice!, original);
  });
}

test('ICE candidates that arrive before the offer are used', async ({ users, browser, server }) => {
  const [alice] = await users(uniq('earlyIce'));
  const original = await rawPeer(browser, server.url, uniq('earlyCaller'));
  // Its candidates all go before its offer and it takes none of the app's: the connection can
  // only be found by the app's checks towards the candidates it kept.
  await original.callCandidatesFirst(alice!.name);
  await openChat(alice!.page, original.name);
  await original.page.evaluate(() => window.RP.send({ message: 'candidates first' }));
  await expect(messages(alice!.page, original.name).getByText('candidates first')).toBeVisible();
});

testCalledByOriginal(
  'a zero-byte file from the original completes on both sides',
  ['zeroRx', 'zeroTx'],
  async (alice, original) => {
    const closed = await original.page.evaluate(async () => {
      const { RP } = window;
      const ch = await RP.announceFile({
        category: 'file',
        name: 'empty.txt',
        type: 'text/plain',
        size: 0,
      });
      // As the original sender, it reads feedback only from now on and closes the channel when a
      // word brings the sum to the size. The receiver's initial 0-word is then often lost (sent
      // before the ACK came back): that case, where no word ever comes, is played here.
      ch.onmessage = null;
      // Its completion: the channel closing.
      await new Promise((r) => (ch.readyState === 'closed' ? r(0) : (ch.onclose = r)));
      return true;
    });
    expect(closed).toBe(true);
    const card = alice.page.getByRole('group', { name: 'File empty.txt' });
    await expect(card).toHaveAttribute('data-transfer-status', 'complete');
    await expect(card.getByRole('link', { name: 'empty.txt' })).toBeVisible();
  },
);

testCalledByOriginal(
  'ACK and pong swap the ids the original wrote, also ids from before a signalling outage',
  ['staleIds', 'staleCaller'],
  async (alice, original) => {
    // Ids the original knew before a signalling outage gave both sides new ones (PROTOCOL.md 1.7):
    // its link stays up and its messages keep them; the ACK and pong swap them (4.4, 4.8).
    const ids = { fromNodeId: 'original-before-outage', toNodeId: 'alice-before-outage' };
    const replies = await original.page.evaluate(async (ids) => {
      const { RP } = window;
      const id = RP.send({ message: 'old ids', ...ids });
      await RP.waitAck(id);
      const ack = JSON.parse(RP.chatIn.find((d) => d.includes(`"ack":{"messageId":"${id}"}`))!);
      const pong = await new Promise<Record<string, unknown>>((resolve) => {
        RP.pingOut.onmessage = (e) => {
          const m = JSON.parse(e.data as string);
          if (m.ping?.direction === 'pong') resolve(m);
        };
        RP.pingOut.send(JSON.stringify(RP.msg({ ping: { direction: 'ping', seq: 0 }, ...ids })));
      });
      return { ack, pong };
    }, ids);
    await expect(messages(alice.page, original.name).getByText('old ids')).toBeVisible();
    expect(replies.ack.fromNodeId).toBe(ids.toNodeId);
    expect(replies.ack.toNodeId).toBe(ids.fromNodeId);
    expect(replies.pong.fromNodeId).toBe(ids.toNodeId);
    expect(replies.pong.toNodeId).toBe(ids.fromNodeId);
  },
);

testCalledByOriginal(
  'a file announced without a size arrives whole, completed when the sender closes',
  ['unsizedRx', 'unsizedTx'],
  async (alice, original) => {
    const state = await original.page.evaluate(async () => {
      const { RP } = window;
      // `size` is optional in the announcement (PROTOCOL.md 4.3): a peer may leave it out.
      const ch = await RP.announceFile({ category: 'file', name: 'unsized.bin' });
      const body = Uint8Array.from({ length: 1000 }, (_, i) => i % 256);
      let total = 0;
      const fed = new Promise<void>((resolve) => {
        ch.onmessage = (e: MessageEvent) => {
          total += new DataView(e.data as ArrayBuffer).getUint32(0);
          if (total >= body.length) resolve();
        };
        ch.onclose = () => resolve();
      });
      ch.send(body);
      await fed;
      const open = ch.readyState;
      ch.close();
      return open;
    });
    // The receiver kept the channel open until every byte had come.
    expect(state).toBe('open');
    const saved = await savedFile(alice.page, 'unsized.bin');
    expect(saved.length).toBe(1000);
    expect(saved.every((v, i) => v === i % 256)).toBe(true);
  },
);

testCalledByOriginal(
  'the original calls: ACK and pong shapes, its 128 KiB chunks, a file to it, an ICE restart',
  ['callee', 'caller'],
  async (alice, original) => {
    const aliceId = await original.nodeId(alice.name);

    // ACK of a text message and the pong to a ping on the original's `ping` channel.
    const shapes = await original.page.evaluate(async () => {
      const { RP } = window;
      const id = RP.send({ message: 'hello from the original' });
      await RP.waitAck(id);
      const ack = JSON.parse(RP.chatIn.find((d) => d.includes(id))!);
      const pong = await new Promise<Record<string, unknown>>((resolve) => {
        RP.pingOut.onmessage = (e) => {
          const m = JSON.parse(e.data as string);
          if (m.ping?.direction === 'pong') resolve(m);
        };
        RP.pingOut.send(JSON.stringify(RP.msg({ ping: { direction: 'ping', seq: 0 } })));
      });
      return { ack, pong, id, me: RP.me, now: Date.now() };
    });
    await expect(
      messages(alice.page, original.name).getByText('hello from the original'),
    ).toBeVisible();
    expect(Object.keys(shapes.ack).sort()).toEqual(
      ['ack', 'fromNodeId', 'messageId', 'timestamp', 'toNodeId'].sort(),
    );
    expect(shapes.ack.ack).toEqual({ messageId: shapes.id });
    expect(shapes.ack.fromNodeId).toBe(aliceId);
    expect(shapes.ack.toNodeId).toBe(shapes.me);
    expect(shapes.ack.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(shapes.ack.timestamp - shapes.now)).toBeLessThan(60_000);
    expect(shapes.pong.ping).toEqual({ direction: 'pong', seq: 0 });
    expect(shapes.pong.fromNodeId).toBe(aliceId);
    expect(shapes.pong.toNodeId).toBe(shapes.me);
    expect(typeof shapes.pong.messageId).toBe('string');
    expect(typeof shapes.pong.timestamp).toBe('number');

    // A file as the original sends it: 128 KiB chunks right after the ACK, without waiting for
    // feedback; closed once the feedback words add up to the size.
    const words = await original.page.evaluate(async () => {
      const { RP } = window;
      const size = 300_000;
      const body = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 251);
      const ch = await RP.announceFile({ category: 'file', name: 'pattern.bin', type: '', size });
      const got: number[] = [];
      let total = 0;
      ch.onmessage = (e: MessageEvent) => {
        const w = new DataView(e.data as ArrayBuffer).getUint32(0);
        got.push(w);
        total += w;
        if (total >= size) ch.close();
      };
      for (let off = 0; off < size; off += 131072) ch.send(body.slice(off, off + 131072));
      await new Promise((r) => (ch.onclose = r));
      return got;
    });
    // (The initial 0-word comes first when it arrives after the ACK.)
    expect(words.filter((w) => w > 0)).toEqual([131072, 131072, 300_000 - 2 * 131072]);
    const saved = await savedFile(alice.page, 'pattern.bin');
    expect(saved.length).toBe(300_000);
    expect(saved.every((v, i) => v === (i * 7) % 251)).toBe(true);

    // The app sends a file to the original receiver (0-word, word per chunk, complete on close).
    const sent = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 13) % 256));
    await alice.page.getByLabel('Choose files to send').setInputFiles({
      name: 'to-original.bin',
      mimeType: 'application/octet-stream',
      buffer: sent,
    });
    await original.page.waitForFunction(() => window.RP.filesIn[0]?.closed === true);
    const received = await original.page.evaluate(() => {
      const { RP } = window;
      const f = RP.filesIn[0]!;
      const announcement = RP.chatIn.map((d) => JSON.parse(d)).find((m) => m.file);
      return { ...f, bytes: Array.from(f.bytes), announcement };
    });
    expect(Buffer.from(received.bytes).equals(sent)).toBe(true);
    expect(received.texts).toBe(0);
    // The original's 128 KiB chunks (PROTOCOL.md 4.7, 9; Tincan apps get 256 KiB).
    expect(received.chunks).toEqual([...Array(5).fill(131072), 700_000 - 5 * 131072]);
    expect(received.announcement.file).toEqual({
      category: 'file',
      name: 'to-original.bin',
      size: 700_000,
      type: 'application/octet-stream',
      dcId: received.dcId,
    });
    expect(received.announcement.fromNodeId).toBe(aliceId);
    expect(received.announcement.toNodeId).toBe(shapes.me);
    await expect(alice.page.getByRole('group', { name: 'File to-original.bin' })).toHaveAttribute(
      'data-transfer-status',
      'complete',
    );

    // An ICE restart offer from the original (as after `failed`): answered, and the chat goes on.
    const restarted = await original.page.evaluate(async () => {
      const { RP } = window;
      const ufrag = (sdp?: string) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
      const before = ufrag(RP.pc.remoteDescription?.sdp);
      RP.pc.restartIce();
      const offer = await RP.pc.createOffer({ iceRestart: true });
      void RP.pc.setLocalDescription(offer);
      const ws = (RP as unknown as { ws: WebSocket }).ws;
      ws.send(
        JSON.stringify({
          sdp_offer: {
            type: 'offer',
            offer_json: JSON.stringify(offer),
            from_node_id: RP.me,
            to_node_id: RP.peer,
          },
        }),
      );
      await new Promise<void>((resolve) => {
        const check = () => RP.pc.signalingState === 'stable' && resolve();
        RP.pc.addEventListener('signalingstatechange', check);
      });
      return { before, after: ufrag(RP.pc.remoteDescription?.sdp) };
    });
    expect(restarted.after).toBeTruthy();
    expect(restarted.after).not.toBe(restarted.before);
    await send(alice.page, 'after the restart');
    await expect(
      messages(alice.page, original.name).locator('[data-direction="out"]').last(),
    ).toHaveAttribute('data-status', 'delivered');
    await original.page.waitForFunction(() =>
      window.RP.chatIn.some((d) => d.includes('after the restart')),
    );
  },
);

test('the app calls the original: chat and ping channels, pings from seq 0, RTT shown', async ({
  users,
  browser,
  server,
}) => {
  const [alice] = await users(uniq('caller'));
  const original = await rawPeer(browser, server.url, uniq('callee'));
  await openChat(alice.page, original.name);
  await waitConnected(alice.page);
  await expect(alice.page.getByTestId('peer-rtt')).toHaveText(/RTT \d+(\.\d+)? ms/);
  const aliceId = await original.nodeId(alice.name);
  const pings = await original.page.evaluate(() => window.RP.pingIn.map((d) => JSON.parse(d)));
  expect(pings.length).toBeGreaterThan(0);
  expect(pings[0].ping).toEqual({ direction: 'ping', seq: 0 });
  expect(pings.map((p) => p.ping.seq)).toEqual(pings.map((_, i) => i));
  expect(pings[0].fromNodeId).toBe(aliceId);
  expect(pings[0].toNodeId).toBe(original.id);
  await send(alice.page, 'to the original');
  await expect(
    messages(alice.page, original.name).locator('[data-direction="out"]'),
  ).toHaveAttribute('data-status', 'delivered');
  const text = await original.page.evaluate(() =>
    window.RP.chatIn.map((d) => JSON.parse(d)).find((m) => m.message),
  );
  expect(text.message).toBe('to the original');
  expect(text.fromNodeId).toBe(aliceId);
  expect(text.toNodeId).toBe(original.id);
  expect(typeof text.timestamp).toBe('number');
});
