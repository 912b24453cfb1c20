import { describe, expect, it, vi } from 'vitest';
import {
  decodeSignal,
  encodePatch,
  MAX_TEXT,
  type ChatMessage,
  type FileCategory,
} from '../protocol';
import {
  MAX_INCOMING_FILES,
  MAX_ITEMS,
  MAX_ITEMS_TEXT,
  MAX_OUTGOING_FILES,
  resolveUrls,
  TincanClient,
} from './client';
import { startClient, testServer } from './testing/clients';
import {
  FakeHub,
  FakeSocket,
  type FakeChannel,
  type FakePeerConnection,
} from './testing/fake-network';

const makeClient = (
  hub: FakeHub,
  name: string,
  extra: Partial<ConstructorParameters<typeof TincanClient>[0]> = {},
) => startClient(hub, name, extra);

const idOf = (c: TincanClient, name: string) =>
  Object.values(c.store.getState().peers).find((p) => p.name === name)?.nodeId ?? '';

type Options = Partial<ConstructorParameters<typeof TincanClient>[0]>;

/** Alice and Bob connected, Alice's chat to Bob open; `bobOpts` add to `opts` for Bob only. */
async function pair(opts: Options = {}, bobOpts: Options = {}, hub = new FakeHub()) {
  const alice = makeClient(hub, 'alice', opts);
  const bob = makeClient(hub, 'bob', { ...opts, ...bobOpts });
  await vi.waitFor(() => expect(idOf(alice, 'bob')).not.toBe(''));
  await vi.waitFor(() => expect(idOf(bob, 'alice')).not.toBe(''));
  const bobId = idOf(alice, 'bob');
  const aliceId = idOf(bob, 'alice');
  alice.selectPeer(bobId);
  await vi.waitFor(() => expect(alice.store.getState().peers[bobId]?.chatOpen).toBe(true));
  return { hub, alice, bob, aliceId, bobId };
}

/** Sends a raw chat message over the client's open chat channel to `peer` (a hostile peer). */
function rawSend(from: TincanClient, peer: string, m: Partial<ChatMessage>) {
  const link = (
    from as unknown as { links: Map<string, { chat: { send: (m: ChatMessage) => boolean } }> }
  ).links.get(peer);
  link?.chat.send({
    messageId: crypto.randomUUID(),
    fromNodeId: '',
    toNodeId: '',
    timestamp: Date.now(),
    ...m,
  } as ChatMessage);
}

/** A channel labelled `label` from `from` to `peer`, once open. */
async function openChannel(from: TincanClient, peer: string, label: string) {
  const link = (
    from as unknown as {
      links: Map<string, { session: { createChannel: (l: string) => RTCDataChannel } }>;
    }
  ).links.get(peer)!;
  const ch = link.session.createChannel(label);
  await vi.waitFor(() => expect(ch.readyState).not.toBe('connecting'));
  return ch;
}

/** The `file` channels `from` creates towards `peer`, as they are created (`created` after each). */
function watchFileChannels(from: TincanClient, peer: string, created: () => void) {
  const session = (
    from as unknown as {
      links: Map<string, { session: { createChannel: (l: string) => RTCDataChannel } }>;
    }
  ).links.get(peer)!.session;
  const create = session.createChannel.bind(session);
  const channels: RTCDataChannel[] = [];
  session.createChannel = (label: string) => {
    const ch = create(label);
    if (label === 'file') channels.push(ch);
    created();
    return ch;
  };
  return channels;
}

/** A `msgpatch` channel from `from` to `peer` (as ClockBot opens one), once open. */
const openPatchChannel = (from: TincanClient, peer: string) => openChannel(from, peer, 'msgpatch');

/**
 * Alice and Bob paired, Bob's msgpatch channel to Alice open; for message `id` on Alice's side:
 * its text, an order from Bob, and Bob's amend giving it `message`.
 */
async function patchedPair(id: string) {
  const p = await pair();
  const ch = await openPatchChannel(p.bob, p.aliceId);
  const item = () => p.alice.store.getState().messages[p.bobId]?.find((m) => m.id === id);
  return {
    ...p,
    item,
    text: () => item()?.text,
    order: (kind: 'append' | 'replace', value: string) =>
      ch.send(encodePatch({ kind, messageId: id, value }) as Uint8Array<ArrayBuffer>),
    amend: (message: string) =>
      rawSend(p.bob, p.aliceId, {
        amend: { messageId: id, newMessageJSON: JSON.stringify({ messageId: id, message }) },
      }),
  };
}

/** The `seq` of every ping `c` receives (its own answers are muted). */
function pingsTo(c: TincanClient): number[] {
  const seqs: number[] = [];
  vi.spyOn(c as unknown as { onPing: (...a: unknown[]) => void }, 'onPing').mockImplementation(
    function (this: unknown, ...args: unknown[]) {
      const m = JSON.parse(String(args[3])) as ChatMessage;
      if (m.ping?.direction === 'ping') seqs.push(m.ping.seq);
    },
  );
  return seqs;
}

describe('TincanClient over fake signalling and peer connections', () => {
  it('keeps ping round trips apart from the peer list entry (samples do not re-render the list)', async () => {
    const { alice, bobId } = await pair();
    await vi.waitFor(() => expect(alice.store.getState().peerRtt[bobId]).toBeDefined(), {
      timeout: 5000,
    });
    const entry = alice.store.getState().peers[bobId];
    await vi.waitFor(
      () => expect(alice.store.getState().peerRtt[bobId]?.history.length).toBeGreaterThan(1),
      { timeout: 5000 },
    );
    const rtt = alice.store.getState().peerRtt[bobId]!;
    expect(rtt.rtt).toBeGreaterThanOrEqual(0);
    expect(rtt.history.at(-1)).toBe(rtt.rtt);
    expect(alice.store.getState().peers[bobId]).toBe(entry);
  });

  it("numbers the initiator's pings from 0 and the acceptor's far apart (no seq an original initiator knows)", async () => {
    const { alice, bob } = await pair();
    const toBob = pingsTo(bob); // sent by Alice, who opened the link
    const toAlice = pingsTo(alice);
    await vi.waitFor(() => expect(toBob.length && toAlice.length).toBeGreaterThan(0), {
      timeout: 5000,
    });
    expect(Math.min(...toBob)).toBeLessThan(100);
    expect(Math.min(...toAlice)).toBeGreaterThanOrEqual(1_000_000_000);
  });

  it("sends no pings of its own on an original initiator's `ping` channel (its RTT would blink)", async () => {
    // Alice without `tincan_features` in /conns, as an original client registers.
    const hub = new FakeHub();
    hub.originals.add('alice');
    const { alice, bob } = await pair({}, {}, hub);
    const toBob = pingsTo(bob);
    const toAlice = pingsTo(alice);
    // Both sides' ping timers start as the channel opens: three of Alice's a second apart
    // leave Bob's timer time to fire twice.
    await vi.waitFor(() => expect(toBob.length).toBeGreaterThanOrEqual(3), { timeout: 6000 });
    expect(toAlice).toEqual([]);
  });

  it('pings an original peer only on the `ping` channel it made, not on one the peer made too (after glare)', async () => {
    const hub = new FakeHub();
    hub.originals.add('bob');
    const { alice, bob, aliceId, bobId } = await pair({}, {}, hub);
    // Alice's own `ping` channel (the only one so far).
    const alices = [
      ...(
        alice as unknown as {
          links: Map<string, { ping: { channels: RTCDataChannel[] } }>;
        }
      ).links.get(bobId)!.ping.channels,
    ];
    expect(alices.length).toBe(1);
    // Bob, an original that called Alice at the same moment, has a `ping` channel of his own,
    // and Alice's goes away: Bob's channel is the only one open.
    const bobsPing = await openChannel(bob, aliceId, 'ping');
    const onBobs: string[] = [];
    bobsPing.addEventListener('message', (ev) => {
      const m = JSON.parse(String((ev as MessageEvent).data)) as ChatMessage;
      onBobs.push(m.ping?.direction ?? '');
    });
    for (const ch of alices) ch.close();
    const toBob = pingsTo(bob);
    // Bob's own pings (he measures too, running our app) are answered on his channel: three of
    // those answers take three of Alice's ping periods.
    await vi.waitFor(
      () => expect(onBobs.filter((d) => d === 'pong').length).toBeGreaterThanOrEqual(3),
      {
        timeout: 6000,
      },
    );
    expect(onBobs.filter((d) => d === 'ping')).toEqual([]);
    expect(toBob).toEqual([]);
  });

  it('shows the server and peer round trips together, once a second (one frame for both)', async () => {
    const { alice, bobId } = await pair();
    let changes = 0;
    let last = alice.store.getState();
    const stop = alice.store.subscribe(() => {
      const s = alice.store.getState();
      if (s.wsRttHistory !== last.wsRttHistory || s.peerRtt !== last.peerRtt) changes++;
      last = s;
    });
    const lengths = () => {
      const s = alice.store.getState();
      return [s.wsRttHistory.length, s.peerRtt[bobId]?.history.length ?? 0] as const;
    };
    const before = lengths();
    await vi.waitFor(
      () => {
        const [ws, peer] = lengths();
        expect(ws - before[0]).toBeGreaterThanOrEqual(3);
        expect(peer - before[1]).toBeGreaterThanOrEqual(3);
      },
      { timeout: 8000, interval: 50 },
    );
    stop();
    const [ws, peer] = lengths();
    const samples = ws - before[0] + (peer - before[1]);
    // One sample of each per second, both told at the same beat: about half as many changes.
    expect(changes).toBeLessThanOrEqual(Math.max(ws - before[0], peer - before[1]) + 1);
    expect(changes).toBeLessThan(samples);
  });

  it('renames with the full preference and the current name as origin_node_name, as the original', async () => {
    const hub = new FakeHub();
    const renames: unknown[] = [];
    const handle = hub.handle.bind(hub);
    hub.handle = (from, text) => {
      const r = decodeSignal(text);
      if (r.ok && r.value.rename) renames.push(r.value.rename);
      handle(from, text);
    };
    const alice = makeClient(hub, 'alice');
    await vi.waitFor(() => expect(alice.store.getState().nodeId).toBeTruthy());
    alice.rename('bob', 4);
    await vi.waitFor(() => expect(renames.length).toBe(1));
    expect(renames[0]).toEqual({
      new_preference: { name: 'bob', indexOfPreferColor: 4 },
      origin_node_name: 'alice',
    });
  });

  it('lists no connection that has not registered (the server lists them in /conns)', async () => {
    const hub = new FakeHub();
    const lurker = new FakeSocket(hub, 'ws://test/ws'); // connected, never registers
    const { alice } = await pair({}, {}, hub);
    await vi.waitFor(() => expect(lurker.readyState).toBe(1));
    const conns = (await (await hub.fetch('http://test/api/conns')).json()) as Record<
      string,
      unknown
    >;
    expect(conns[lurker.id]).toEqual({ connected_at: 1, authentication: '' });
    expect(Object.keys(alice.store.getState().peers)).not.toContain(lurker.id);
    expect(Object.values(alice.store.getState().peers).map((p) => p.name)).toEqual(['bob']);
  });

  it('counts messages that come while the open conversation is scrolled up as unread until the newest are in view', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    bob.selectPeer(aliceId);
    bob.setReadingNewest(false); // Bob reads earlier messages
    alice.sendText(bobId, 'below the fold');
    await vi.waitFor(() => expect(bob.store.getState().peers[aliceId]?.unread).toBe(1));
    bob.markActiveRead(); // the tab shown again: still scrolled up
    expect(bob.store.getState().peers[aliceId]?.unread).toBe(1);
    bob.setReadingNewest(true);
    expect(bob.store.getState().peers[aliceId]?.unread).toBe(0);
    alice.sendText(bobId, 'in view');
    await vi.waitFor(() => expect(bob.store.getState().messages[aliceId]?.length).toBe(2));
    expect(bob.store.getState().peers[aliceId]?.unread).toBe(0);
  });

  it('announces attributes, lists peers, delivers with an ACK and counts unread', async () => {
    const { hub, alice, bob, aliceId, bobId } = await pair();
    expect(hub.attributes.get(aliceId)).toEqual({
      support_attachment: 'true',
      tincan_features: 'file-sha256-blocks,perfect-negotiation',
      tincan_dtls: expect.stringMatching(/^sha-256 [0-9A-F]{2}(:[0-9A-F]{2}){31}$/),
    });
    alice.sendText(bobId, 'hello *bob*');
    const mine = () => alice.store.getState().messages[bobId]?.[0];
    expect(mine()?.status).toBe('pending');
    await vi.waitFor(() => expect(mine()?.status).toBe('delivered'));
    await vi.waitFor(() =>
      expect(bob.store.getState().messages[aliceId]?.[0]?.text).toBe('hello *bob*'),
    );
    expect(bob.store.getState().peers[aliceId]?.unread).toBe(1);
    bob.selectPeer(aliceId);
    expect(bob.store.getState().peers[aliceId]?.unread).toBe(0);
  });

  it('counts messages that came before /conns listed their sender as unread, with the preview', async () => {
    const hub = new FakeHub();
    // Alice's /conns answers wait while `held` (her refresh after the caller's `online` is slower
    // than the caller's offer and first message).
    let release = () => {};
    let held: Promise<void> = Promise.resolve();
    const alice = makeClient(hub, 'alice', {
      fetchImpl: async (input, init) => {
        await held;
        return hub.fetch(input, init);
      },
    });
    await vi.waitFor(() => expect(alice.store.getState().nodeId).toBeTruthy());
    held = new Promise((r) => (release = r));
    const bob = makeClient(hub, 'bob');
    await vi.waitFor(() => expect(idOf(bob, 'alice')).not.toBe(''));
    const aliceId = idOf(bob, 'alice');
    bob.selectPeer(aliceId);
    await vi.waitFor(() => expect(bob.store.getState().peers[aliceId]?.chatOpen).toBe(true));
    bob.sendText(aliceId, 'first words');
    await vi.waitFor(() =>
      expect(bob.store.getState().messages[aliceId]?.[0]?.status).toBe('delivered'),
    );
    release();
    const bobId = bob.store.getState().nodeId!;
    await vi.waitFor(() => expect(alice.store.getState().peers[bobId]).toBeDefined());
    expect(alice.store.getState().peers[bobId]?.unread).toBe(1);
    expect(alice.store.getState().peers[bobId]?.lastPreview).toBe('first words');
  });

  it('reads /conns with the browser default credentials, as the original (no cookie cross-origin)', async () => {
    const hub = new FakeHub();
    const asked: { path: string; credentials: RequestCredentials | undefined }[] = [];
    const alice = makeClient(hub, 'alice', {
      fetchImpl: (input, init) => {
        asked.push({ path: new URL(String(input)).pathname, credentials: init?.credentials });
        return hub.fetch(input, init);
      },
    });
    await vi.waitFor(() => expect(alice.store.getState().nodeId).toBeTruthy());
    await alice.refreshPeers();
    // The registry needs no session; a credentialed request fails against the permissive
    // `Access-Control-Allow-Origin: *` (PROTOCOL.md 2.3) where the original's succeeds.
    const conns = asked.filter((a) => a.path === '/api/conns');
    expect(conns.length).toBeGreaterThan(0);
    for (const a of conns) expect(a.credentials ?? 'same-origin').toBe('same-origin');
  });

  it('attributes messages to the connection, never to the claimed fromNodeId', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    // Bob claims to be Alice herself (to make it look like her own message).
    rawSend(bob, aliceId, { fromNodeId: aliceId, toNodeId: aliceId, message: 'I am you' });
    await vi.waitFor(() => expect(alice.store.getState().messages[bobId]?.length).toBe(1));
    const m = alice.store.getState().messages[bobId]![0]!;
    expect(m.out).toBe(false);
    expect(m.text).toBe('I am you');
    expect(alice.store.getState().messages[aliceId]).toBeUndefined();
  });

  it('applies amend and delete only to messages the requesting peer authored', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    alice.sendText(bobId, 'from alice');
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.status).toBe('delivered'),
    );
    const aliceMsg = alice.store.getState().messages[bobId]![0]!.id;
    rawSend(bob, aliceId, { messageId: 'bob-1', message: 'from bob' });
    await vi.waitFor(() => expect(alice.store.getState().messages[bobId]?.length).toBe(2));

    // Bob tries to rewrite and delete Alice's message: ignored.
    rawSend(bob, aliceId, {
      amend: {
        messageId: aliceMsg,
        newMessageJSON: JSON.stringify({ messageId: aliceMsg, message: 'forged' }),
      },
    });
    rawSend(bob, aliceId, { delete: { messageId: aliceMsg } });
    // Bob edits his own: applied.
    rawSend(bob, aliceId, {
      amend: {
        messageId: 'bob-1',
        newMessageJSON: JSON.stringify({ messageId: 'bob-1', message: 'edited by bob' }),
      },
    });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.find((m) => m.id === 'bob-1')?.text).toBe(
        'edited by bob',
      ),
    );
    const list = alice.store.getState().messages[bobId]!;
    expect(list.find((m) => m.id === aliceMsg)?.text).toBe('from alice');
    rawSend(bob, aliceId, { delete: { messageId: 'bob-1' } });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.map((m) => m.id)).toEqual([aliceMsg]),
    );
  });

  it('an amend replaces the message wholesale: text or rich text it leaves out is gone', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const item = () => alice.store.getState().messages[bobId]?.find((m) => m.id === 'bob-2');
    rawSend(bob, aliceId, {
      messageId: 'bob-2',
      message: 'plain',
      richText: { content: 'rich', type: 'text/plain' },
    });
    await vi.waitFor(() => expect(item()).toMatchObject({ text: 'plain', rich: 'rich' }));
    rawSend(bob, aliceId, {
      amend: {
        messageId: 'bob-2',
        newMessageJSON: JSON.stringify({
          messageId: 'bob-2',
          richText: { content: 'new rich', type: 'text/plain' },
        }),
      },
    });
    await vi.waitFor(() => expect(item()?.rich).toBe('new rich'));
    expect(item()?.text).toBeUndefined();
    rawSend(bob, aliceId, {
      amend: {
        messageId: 'bob-2',
        newMessageJSON: JSON.stringify({ messageId: 'bob-2', message: 'only text' }),
      },
    });
    await vi.waitFor(() => expect(item()?.text).toBe('only text'));
    expect(item()?.rich).toBeUndefined();
    expect(item()?.edited).toBe(true);
    // A new message without an id of its own still replaces (the original takes any object).
    rawSend(bob, aliceId, {
      amend: { messageId: 'bob-2', newMessageJSON: JSON.stringify({ message: 'no id' }) },
    });
    await vi.waitFor(() => expect(item()?.text).toBe('no id'));
  });

  it("an amend's new message takes the old one's place with its own id, as the original", async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const list = () => alice.store.getState().messages[bobId]?.map((m) => [m.id, m.text]);
    rawSend(bob, aliceId, { messageId: 'a1', message: 'first' });
    rawSend(bob, aliceId, { messageId: 'b1', message: 'other' });
    rawSend(bob, aliceId, {
      amend: {
        messageId: 'a1',
        newMessageJSON: JSON.stringify({ messageId: 'a2', message: 'second' }),
      },
    });
    // Not onto an id in use: the content changes, the id stays.
    rawSend(bob, aliceId, {
      amend: {
        messageId: 'b1',
        newMessageJSON: JSON.stringify({ messageId: 'a2', message: 'other, edited' }),
      },
    });
    await vi.waitFor(() =>
      expect(list()).toEqual([
        ['a2', 'second'],
        ['b1', 'other, edited'],
      ]),
    );
    rawSend(bob, aliceId, { delete: { messageId: 'a1' } }); // no such message any more
    rawSend(bob, aliceId, { messageId: 'a1', message: 'a1 is free again' });
    rawSend(bob, aliceId, { delete: { messageId: 'a2' } });
    await vi.waitFor(() =>
      expect(list()).toEqual([
        ['b1', 'other, edited'],
        ['a1', 'a1 is free again'],
      ]),
    );
  });

  it('edits and deletes its own messages on the peer', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    alice.sendText(bobId, 'typo');
    await vi.waitFor(() => expect(bob.store.getState().messages[aliceId]?.length).toBe(1));
    const id = alice.store.getState().messages[bobId]![0]!.id;
    alice.editMessage(bobId, id, 'fixed');
    await vi.waitFor(() =>
      expect(bob.store.getState().messages[aliceId]?.[0]).toMatchObject({
        text: 'fixed',
        edited: true,
      }),
    );
    alice.deleteMessage(bobId, id);
    await vi.waitFor(() => expect(bob.store.getState().messages[aliceId]).toEqual([]));
  });

  /** Closes `from`'s open chat channel to `peer` (both ends), then opens a new one. */
  async function reopenChat(from: TincanClient, peer: string, between: () => void = () => {}) {
    const link = (
      from as unknown as { links: Map<string, { chat: { open?: RTCDataChannel } }> }
    ).links.get(peer)!;
    const old = link.chat.open!;
    old.close();
    await vi.waitFor(() => expect(from.store.getState().peers[peer]?.chatOpen).toBe(false));
    between();
    await openChannel(from, peer, 'chat');
    await vi.waitFor(() => expect(from.store.getState().peers[peer]?.chatOpen).toBe(true));
  }

  it('sends an edit or a delete made while no chat channel is open once one opens', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    alice.sendText(bobId, 'typo');
    alice.sendText(bobId, 'regret');
    await vi.waitFor(() => expect(bob.store.getState().messages[aliceId]?.length).toBe(2));
    const [typo, regret] = alice.store.getState().messages[bobId]!.map((m) => m.id);
    await reopenChat(alice, bobId, () => {
      alice.editMessage(bobId, typo!, 'fixed');
      alice.deleteMessage(bobId, regret!);
    });
    await vi.waitFor(() =>
      expect(bob.store.getState().messages[aliceId]?.map((m) => m.text)).toEqual(['fixed']),
    );
  });

  it('does not send a deleted message again when its ACK had not come and the chat reopens', async () => {
    const { alice, bob, aliceId, bobId } = await pair({ ackTimeoutMs: 60_000 });
    const bobLink = (
      bob as unknown as { links: Map<string, { chat: { send: unknown } }> }
    ).links.get(aliceId)!;
    const realSend = bobLink.chat.send;
    bobLink.chat.send = () => true; // Bob's ACKs are lost: Alice's message stays pending.
    alice.sendText(bobId, 'oops');
    await vi.waitFor(() => expect(bob.store.getState().messages[aliceId]?.length).toBe(1));
    alice.deleteMessage(bobId, alice.store.getState().messages[bobId]![0]!.id);
    await vi.waitFor(() => expect(bob.store.getState().messages[aliceId]).toEqual([]));
    bobLink.chat.send = realSend;
    await reopenChat(alice, bobId);
    alice.sendText(bobId, 'after');
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.at(-1)?.status).toBe('delivered'),
    );
    // What reached Bob on the new channel came in order: the message after, and nothing before.
    expect(bob.store.getState().messages[aliceId]?.map((m) => m.text)).toEqual(['after']);
  });

  it('ACKs a JSON message it cannot show, as the original ACKs every one (its sender hides it until then)', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const acks: string[] = [];
    const target = bob as unknown as { onChat: (...a: unknown[]) => void };
    const onChat = target.onChat.bind(bob);
    vi.spyOn(target, 'onChat').mockImplementation((...args: unknown[]) => {
      const m = JSON.parse(String(args[3])) as ChatMessage;
      if (m.ack) acks.push(m.ack.messageId);
      onChat(...args);
    });
    rawSend(bob, aliceId, { messageId: 'odd-1', message: 123 as unknown as string });
    // Not a file announcement it refuses: ACKed, its sender would stream the file and take the
    // closed channel for completion (PROTOCOL.md 4.7).
    rawSend(bob, aliceId, { messageId: 'odd-file', file: 'x' as unknown as ChatMessage['file'] });
    rawSend(bob, aliceId, { messageId: 'fine-1', message: 'shown' });
    await vi.waitFor(() => expect(acks).toContain('fine-1'));
    expect(acks).toEqual(['odd-1', 'fine-1']);
    expect(alice.store.getState().messages[bobId]?.map((m) => m.id)).toEqual(['fine-1']);
  });

  it('shows an id sent again after its delete as a new message (the original checks its list)', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const texts = () => alice.store.getState().messages[bobId]?.map((m) => m.text);
    rawSend(bob, aliceId, { messageId: 'again', message: 'first' });
    rawSend(bob, aliceId, { messageId: 'quiet' }); // no text yet (msgpatch would fill it in)
    await vi.waitFor(() => expect(texts()).toEqual(['first']));
    rawSend(bob, aliceId, { delete: { messageId: 'again' } });
    rawSend(bob, aliceId, { delete: { messageId: 'quiet' } });
    rawSend(bob, aliceId, { messageId: 'again', message: 'second' });
    rawSend(bob, aliceId, { messageId: 'quiet', message: 'now with text' });
    await vi.waitFor(() => expect(texts()).toEqual(['second', 'now with text']));
  });

  it("a deleted message stops counting as unread and leaves the peer's row; an amend shows there", async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const row = () => bob.store.getState().peers[aliceId]!;
    rawSend(alice, bobId, { messageId: 'old', message: 'read already' });
    await vi.waitFor(() => expect(row().unread).toBe(1));
    bob.selectPeer(aliceId);
    bob.selectPeer(null);
    rawSend(alice, bobId, { messageId: 'one', message: 'one' });
    rawSend(alice, bobId, { messageId: 'two', message: 'two' });
    await vi.waitFor(() => expect(row().unread).toBe(2));
    expect(row().lastPreview).toBe('two');
    rawSend(alice, bobId, { delete: { messageId: 'old' } }); // read: the count stays
    rawSend(alice, bobId, { delete: { messageId: 'two' } });
    await vi.waitFor(() =>
      expect(bob.store.getState().messages[aliceId]?.map((m) => m.id)).toEqual(['one']),
    );
    expect(row().unread).toBe(1);
    expect(row().lastPreview).toBe('one');
    rawSend(alice, bobId, {
      amend: {
        messageId: 'one',
        newMessageJSON: JSON.stringify({ messageId: 'one', message: 'one, edited' }),
      },
    });
    await vi.waitFor(() => expect(row().lastPreview).toBe('one, edited'));
    rawSend(alice, bobId, { delete: { messageId: 'one' } });
    await vi.waitFor(() => expect(row().unread).toBe(0));
    expect(row().lastPreview).toBeUndefined();
  });

  it("previews a file by its category's mark and cuts a long text with an ellipsis", async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const row = () => alice.store.getState().peers[bobId]!;
    const file = (category: FileCategory, name: string) =>
      rawSend(bob, aliceId, { file: { category, name, size: 1, type: '', dcId: '' } });
    file('image', 'cat.png');
    await vi.waitFor(() => expect(row().lastPreview).toBe('🖼 cat.png'));
    file('video', 'clip.webm');
    await vi.waitFor(() => expect(row().lastPreview).toBe('🎥 clip.webm'));
    file('audio', 'song.ogg');
    await vi.waitFor(() => expect(row().lastPreview).toBe('🎵 song.ogg'));
    file('document', 'cv.pdf');
    await vi.waitFor(() => expect(row().lastPreview).toBe('📄 cv.pdf'));
    file('file', 'a.bin');
    await vi.waitFor(() => expect(row().lastPreview).toBe('📎 a.bin'));
    rawSend(bob, aliceId, { message: 'x'.repeat(200) });
    await vi.waitFor(() => expect(row().lastPreview).toBe(`${'x'.repeat(80)}…`));
  });

  it('an amend gives a message that came without text its text (it is in the list all the same)', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    rawSend(bob, aliceId, { messageId: 'silent' });
    rawSend(bob, aliceId, {
      amend: {
        messageId: 'silent',
        newMessageJSON: JSON.stringify({ messageId: 'silent', message: 'spoken' }),
      },
    });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.map((m) => m.text)).toEqual(['spoken']),
    );
  });

  it('drops duplicates by id but still ACKs them', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    rawSend(bob, aliceId, { messageId: 'dup', message: 'once' });
    rawSend(bob, aliceId, { messageId: 'dup', message: 'twice' });
    rawSend(bob, aliceId, { messageId: 'last', message: 'end' });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.map((m) => m.text)).toEqual(['once', 'end']),
    );
  });

  it('moves a live conversation to the new node id of a peer that re-registered', async () => {
    const { hub, alice, bobId } = await pair();
    alice.sendText(bobId, 'before');
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.status).toBe('delivered'),
    );
    hub.drop(bobId); // Bob's signalling drops; he registers again under a new id.
    const newId = () =>
      Object.values(alice.store.getState().peers).find((p) => p.name === 'bob' && p.online)
        ?.nodeId ?? bobId;
    await vi.waitFor(() => expect(newId()).not.toBe(bobId));
    // His pings over the live link name the new id, which announced the link's certificate.
    await vi.waitFor(
      () =>
        expect(alice.store.getState().messages[newId()]?.map((m) => m.text)).toEqual(['before']),
      { timeout: 5000 },
    );
    expect(alice.store.getState().peers[bobId]).toBeUndefined();
  });

  it('moves the conversation of a signed-in peer without a certificate (a bot) by its account', async () => {
    const hub = new FakeHub();
    hub.identities.set('clockbot', { authentication: 'jwt', is_bot: true, username: 'clockbot' });
    const alice = makeClient(hub, 'alice');
    makeClient(hub, 'clockbot', { generateCertificate: () => Promise.reject(new Error('none')) });
    await vi.waitFor(() => expect(idOf(alice, 'clockbot')).not.toBe(''));
    const oldId = idOf(alice, 'clockbot');
    expect(hub.attributes.get(oldId)?.tincan_dtls).toBeUndefined();
    alice.selectPeer(oldId);
    await vi.waitFor(() => expect(alice.store.getState().peers[oldId]?.chatOpen).toBe(true));
    alice.sendText(oldId, 'tick?');
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[oldId]?.[0]?.status).toBe('delivered'),
    );
    hub.drop(oldId);
    const newId = () =>
      Object.values(alice.store.getState().peers).find(
        (p) => p.name === 'clockbot' && p.online && p.nodeId !== oldId,
      )?.nodeId ?? '';
    await vi.waitFor(() => expect(newId()).not.toBe(''));
    await vi.waitFor(
      () => expect(alice.store.getState().messages[newId()]?.map((m) => m.text)).toEqual(['tick?']),
      { timeout: 5000 },
    );
  });

  it("keeps a link under its own id when its ping claims another peer's new id", async () => {
    const hub = new FakeHub();
    let signallingUp = true;
    // Mallory goes by "bob"; once dropped, her signalling never comes back: her link to Alice stays.
    const {
      alice,
      bob: mallory,
      aliceId,
      bobId: malloryId,
    } = await pair(
      {},
      {
        createSocket: (u) =>
          signallingUp
            ? hub.connect(u)
            : ({ readyState: 0, send() {}, close() {} } as unknown as WebSocket),
      },
      hub,
    );
    signallingUp = false;
    hub.drop(malloryId);
    makeClient(hub, 'bob'); // the real Bob, with a name Mallory had taken while he was away
    const bobId = () =>
      Object.values(alice.store.getState().peers).find(
        (p) => p.name === 'bob' && p.online && p.nodeId !== malloryId,
      )?.nodeId ?? '';
    await vi.waitFor(() => expect(bobId()).not.toBe(''));
    await vi.waitFor(() => expect(alice.store.getState().peers[malloryId]?.online).toBe(false));
    const link = (
      mallory as unknown as {
        links: Map<string, { ping: { send: (m: ChatMessage) => boolean; open?: RTCDataChannel } }>;
      }
    ).links.get(aliceId)!;
    const pong = new Promise((resolve) =>
      link.ping.open!.addEventListener('message', (ev: MessageEvent) => {
        if (String(ev.data).includes('"seq":99')) resolve(true);
      }),
    );
    link.ping.send({
      messageId: crypto.randomUUID(),
      fromNodeId: bobId(),
      toNodeId: aliceId,
      timestamp: Date.now(),
      ping: { direction: 'ping', seq: 99 },
    });
    await pong;
    rawSend(mallory, aliceId, { message: 'I am bob' });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[malloryId]?.map((m) => m.text)).toEqual(['I am bob']),
    );
    expect(alice.store.getState().messages[bobId()] ?? []).toEqual([]);
  });

  it('restarts ICE on the same connection when the user opens a conversation whose ICE failed', async () => {
    const { alice, bobId } = await pair();
    const links = (
      alice as unknown as {
        links: Map<string, { session: { pc: FakePeerConnection; state: string } }>;
      }
    ).links;
    const session = links.get(bobId)!.session;
    const pc = session.pc;
    // ICE fails (and its restarts with it, as after a long outage): the connection is failed.
    pc.iceConnectionState = 'failed';
    pc.connectionState = 'failed';
    pc.oniceconnectionstatechange?.();
    pc.onconnectionstatechange?.();
    await vi.waitFor(() => expect(alice.store.getState().peers[bobId]?.connection).toBe('failed'));
    const before = pc.restarts;
    alice.selectPeer(null);
    alice.selectPeer(bobId);
    // Restarted at once, on the same connection: Bob (an original client too) keeps his for us.
    expect(pc.restarts).toBe(before + 1);
    expect(links.get(bobId)!.session).toBe(session);
    // Still failed at the next attempt (Bob may have dropped his end): a new connection.
    alice.selectPeer(null);
    alice.selectPeer(bobId);
    expect(links.get(bobId)!.session).not.toBe(session);
    await vi.waitFor(() => expect(alice.store.getState().peers[bobId]?.chatOpen).toBe(true));
  });

  it('waits for a slow ACK without resending on the open channel; a late ACK still delivers', async () => {
    const { alice, bob, aliceId, bobId } = await pair({ ackTimeoutMs: 20, maxAttempts: 3 });
    const bobLink = (
      bob as unknown as { links: Map<string, { chat: { send: (m: ChatMessage) => boolean } }> }
    ).links.get(aliceId)!;
    const realSend = bobLink.chat.send.bind(bobLink.chat);
    const held: ChatMessage[] = [];
    // Bob is busy (a bot answering a previous message): his ACKs go out only later.
    bobLink.chat.send = (m: ChatMessage) => (m.ack ? held.push(m) > 0 : realSend(m));
    const onWire = vi.spyOn(bob as unknown as { onChat: () => void }, 'onChat');
    alice.sendText(bobId, 'anyone?');
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.status).toBe('failed'),
    );
    expect(onWire).toHaveBeenCalledTimes(1); // a peer without duplicate detection acts once
    expect(held).toHaveLength(1);
    realSend(held[0]!);
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.status).toBe('delivered'),
    );
  });

  it('shows the failure without an ACK; Retry sends again and delivers', async () => {
    const { alice, bob, aliceId, bobId } = await pair({ ackTimeoutMs: 20, maxAttempts: 3 });
    const bobLink = (
      bob as unknown as { links: Map<string, { chat: { send: unknown } }> }
    ).links.get(aliceId)!;
    const realSend = bobLink.chat.send;
    let received = 0;
    bobLink.chat.send = () => true; // Bob's ACKs are lost.
    bob.store.subscribe(() => (received = bob.store.getState().messages[aliceId]?.length ?? 0));
    alice.sendText(bobId, 'anyone?');
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.status).toBe('failed'),
    );
    bobLink.chat.send = realSend;
    alice.retry(bobId, alice.store.getState().messages[bobId]![0]!.id);
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.status).toBe('delivered'),
    );
    expect(received).toBe(1); // the retry carried the same id
  });

  it('applies msgpatch orders, also those that arrive before their message', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const ch = await openPatchChannel(bob, aliceId);
    ch.send(
      encodePatch({
        kind: 'replace',
        messageId: 'clock',
        value: '🕐 early',
      }) as Uint8Array<ArrayBuffer>,
    );
    const pending = (
      alice as unknown as { links: Map<string, { patches: Map<string, unknown> }> }
    ).links.get(bobId)!.patches;
    await vi.waitFor(() => expect(pending.has('clock')).toBe(true));
    rawSend(bob, aliceId, { messageId: 'clock', message: '🕐 start' });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.text).toBe('🕐 early'),
    );
    ch.send(
      encodePatch({ kind: 'append', messageId: 'clock', value: ' +1' }) as Uint8Array<ArrayBuffer>,
    );
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.text).toBe('🕐 early +1'),
    );
  });

  it('shows an amended message with the msgpatch appends received for it applied again', async () => {
    const { alice, bob, aliceId, bobId, text, order, amend } = await patchedPair('s');
    rawSend(bob, aliceId, { messageId: 's' }); // base "" (PROTOCOL.md 4.9)
    rawSend(bob, aliceId, { message: 'marker' });
    await vi.waitFor(() => expect(alice.store.getState().messages[bobId]).toHaveLength(1));
    order('append', 'Hel');
    await vi.waitFor(() => expect(text()).toBe('Hel'));
    order('append', 'lo');
    await vi.waitFor(() => expect(text()).toBe('Hello'));
    amend('X');
    await vi.waitFor(() => expect(text()).toBe('XHello'));
  });

  it('keeps showing a msgpatch replace over an amended message (the order still applies)', async () => {
    const { bob, aliceId, item, text, order, amend } = await patchedPair('clock');
    rawSend(bob, aliceId, { messageId: 'clock', message: '🕐' });
    await vi.waitFor(() => expect(text()).toBe('🕐'));
    order('replace', '12:00');
    await vi.waitFor(() => expect(text()).toBe('12:00'));
    amend('X');
    await vi.waitFor(() => expect(item()?.edited).toBe(true));
    expect(text()).toBe('12:00');
  });

  it('forgets the msgpatch orders of a deleted message: its id sent again starts fresh', async () => {
    const { bob, aliceId, text, order, amend } = await patchedPair('r');
    rawSend(bob, aliceId, { messageId: 'r', message: 'a' });
    await vi.waitFor(() => expect(text()).toBe('a'));
    order('append', 'b');
    await vi.waitFor(() => expect(text()).toBe('ab'));
    rawSend(bob, aliceId, { delete: { messageId: 'r' } });
    await vi.waitFor(() => expect(text()).toBeUndefined());
    rawSend(bob, aliceId, { messageId: 'r', message: 'c' });
    await vi.waitFor(() => expect(text()).toBe('c'));
    order('append', 'd');
    await vi.waitFor(() => expect(text()).toBe('cd'));
    amend('X');
    await vi.waitFor(() => expect(text()).toBe('Xd')); // not "X", nor "Xbd"
  });

  it('bounds a message that msgpatch appends keep growing (MAX_TEXT, then "…")', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const ch = await openPatchChannel(bob, aliceId);
    rawSend(bob, aliceId, { messageId: 'grow', message: 'start' });
    await vi.waitFor(() => expect(alice.store.getState().messages[bobId]?.length).toBe(1));
    const chunk = encodePatch({ kind: 'append', messageId: 'grow', value: 'x'.repeat(60000) });
    for (let i = 0; i < 40; i++) ch.send(chunk as Uint8Array<ArrayBuffer>);
    const earlyAppend = encodePatch({
      kind: 'append',
      messageId: 'early',
      value: 'y'.repeat(60000),
    });
    for (let i = 0; i < 2; i++) ch.send(earlyAppend as Uint8Array<ArrayBuffer>);
    ch.send(
      encodePatch({ kind: 'append', messageId: 'grow', value: 'END' }) as Uint8Array<ArrayBuffer>,
    );
    rawSend(bob, aliceId, { messageId: 'early', message: '' });
    await vi.waitFor(() => expect(alice.store.getState().messages[bobId]?.length).toBe(2));
    const [grown, early] = alice.store.getState().messages[bobId]!;
    expect(grown?.text?.length).toBe(MAX_TEXT + 1);
    expect(grown?.text?.startsWith('startxxx')).toBe(true);
    expect(early?.text?.length).toBe(MAX_TEXT + 1);
  });

  it('keeps a bounded conversation from a peer that never stops sending (newest kept)', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const n = MAX_ITEMS + 50;
    for (let i = 0; i < n; i++) rawSend(bob, aliceId, { message: `m${i}` });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.at(-1)?.text).toBe(`m${n - 1}`),
    );
    const list = alice.store.getState().messages[bobId]!;
    expect(list.length).toBe(MAX_ITEMS);
    expect(list[0]?.text).toBe('m50');
    const big = 'x'.repeat(MAX_TEXT);
    for (let i = 0; i < 200; i++) rawSend(bob, aliceId, { message: big });
    rawSend(bob, aliceId, { message: 'last' });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.at(-1)?.text).toBe('last'),
    );
    const chars = alice.store
      .getState()
      .messages[bobId]!.reduce((sum, m) => sum + (m.text?.length ?? 0), 0);
    expect(chars).toBeLessThanOrEqual(MAX_ITEMS_TEXT);
    expect(chars).toBeGreaterThan(MAX_ITEMS_TEXT - MAX_TEXT - 10);
  });

  it('closes file channels a peer opens beyond the limit or fills without an announcement', async () => {
    const { alice, bob, aliceId, bobId } = await pair({ receiveToDisk: false });
    const channels: RTCDataChannel[] = [];
    for (let i = 0; i < MAX_INCOMING_FILES + 6; i++)
      channels.push(await openChannel(bob, aliceId, 'file'));
    const incoming = (
      alice as unknown as { links: Map<string, { incomingFiles: Map<string, unknown> }> }
    ).links.get(bobId)!.incomingFiles;
    await vi.waitFor(() =>
      expect(channels.filter((c) => c.readyState === 'closed')).toHaveLength(6),
    );
    expect(incoming.size).toBe(MAX_INCOMING_FILES);
    // A refused channel's announcement (as an original sender sends for every file at once):
    // acknowledged as any message, the file shown failed at once rather than waiting forever.
    const refused = channels.find((c) => c.readyState === 'closed')!;
    rawSend(bob, aliceId, {
      messageId: 'over',
      file: {
        category: 'file',
        name: 'b.txt',
        size: 5,
        type: 'text/plain',
        dcId: String(refused.id),
      },
    });
    await vi.waitFor(() =>
      expect(
        alice.store.getState().messages[bobId]?.find((m) => m.id === 'over')?.file,
      ).toMatchObject({
        status: 'failed',
        error: `not received: more than ${MAX_INCOMING_FILES} files at once`,
      }),
    );
    // Bytes without an announcement: refused, the channel closed, nothing kept.
    const open = channels.filter((c) => c.readyState === 'open');
    for (const c of open) c.send(new Uint8Array(1000));
    await vi.waitFor(() => expect(incoming.size).toBe(0));
    await vi.waitFor(() => expect(open.every((c) => c.readyState === 'closed')).toBe(true));
    // An announced file with more bytes than announced: refused and shown as failed.
    const ch = await openChannel(bob, aliceId, 'file');
    rawSend(bob, aliceId, {
      messageId: 'f1',
      file: { category: 'file', name: 'a.txt', size: 10, type: 'text/plain', dcId: String(ch.id) },
    });
    await vi.waitFor(() => expect(alice.store.getState().messages[bobId]?.[0]?.file).toBeDefined());
    ch.send(new Uint8Array(8));
    ch.send(new Uint8Array(8));
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.file?.status).toBe('failed'),
    );
    expect(alice.store.getState().messages[bobId]?.[0]?.file?.url).toBeUndefined();
  });

  it('counts thumbnails towards the bound of a conversation', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const dataURL = `data:image/png;base64,${'A'.repeat(120 * 1024)}`;
    for (let i = 0; i < 100; i++)
      rawSend(bob, aliceId, {
        file: {
          category: 'image',
          name: 'i.png',
          size: 1,
          dcId: '',
          thumbnail: { dataURL, mime: 'image/png' },
        },
      });
    rawSend(bob, aliceId, { message: 'last' });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.at(-1)?.text).toBe('last'),
    );
    const chars = alice.store
      .getState()
      .messages[bobId]!.reduce((sum, m) => sum + (m.file?.thumbnail?.length ?? 0), 0);
    expect(chars).toBeLessThanOrEqual(MAX_ITEMS_TEXT);
  });

  it("keeps each peer's streamed messages apart: another peer can neither evict nor patch them", async () => {
    const { hub, alice, bob, aliceId, bobId } = await pair();
    const mallory = makeClient(hub, 'mallory');
    await vi.waitFor(() => expect(idOf(mallory, 'alice')).not.toBe(''));
    await vi.waitFor(() => expect(idOf(alice, 'mallory')).not.toBe(''));
    const malloryId = idOf(alice, 'mallory');
    mallory.selectPeer(aliceId);
    await vi.waitFor(() => expect(alice.store.getState().peers[malloryId]?.chatOpen).toBe(true));
    const bobPatches = await openPatchChannel(bob, aliceId);
    const malloryPatches = await openPatchChannel(mallory, aliceId);
    rawSend(bob, aliceId, { messageId: 'bot-reply' }); // streamed: text comes as patches
    rawSend(bob, aliceId, { message: 'marker' });
    await vi.waitFor(() => expect(alice.store.getState().messages[bobId]?.length).toBe(1));
    for (let i = 0; i < 300; i++) rawSend(mallory, aliceId, { messageId: `m${i}` });
    malloryPatches.send(
      encodePatch({
        kind: 'append',
        messageId: 'bot-reply',
        value: 'forged',
      }) as Uint8Array<ArrayBuffer>,
    );
    rawSend(mallory, aliceId, { message: 'mallory done' });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[malloryId]?.at(-1)?.text).toBe('mallory done'),
    );
    bobPatches.send(
      encodePatch({
        kind: 'append',
        messageId: 'bot-reply',
        value: 'Hello',
      }) as Uint8Array<ArrayBuffer>,
    );
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.find((m) => m.id === 'bot-reply')?.text).toBe(
        'Hello',
      ),
    );
  });

  it('drops, unread and unACKed, what a peer sends beyond its message rate', async () => {
    const { alice, bob, aliceId, bobId } = await pair({ peerRate: { perSecond: 20, burst: 100 } });
    const acks: string[] = [];
    const bobLink = (
      bob as unknown as { links: Map<string, { chat: { open: RTCDataChannel } }> }
    ).links.get(aliceId)!;
    bobLink.chat.open.addEventListener('message', (e) => {
      if (String((e as MessageEvent).data).includes('"ack"')) acks.push('ack');
    });
    for (let i = 0; i < 1000; i++) rawSend(bob, aliceId, { message: `m${i}` });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.length).toBeGreaterThan(90),
    );
    await new Promise((r) => setTimeout(r, 100));
    const kept = alice.store.getState().messages[bobId]!.length;
    expect(kept).toBeLessThan(120);
    expect(acks.length).toBeLessThan(120);
    // The rate refills: a well-paced message later gets through.
    await new Promise((r) => setTimeout(r, 300));
    rawSend(bob, aliceId, { message: 'later' });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.at(-1)?.text).toBe('later'),
    );
  });

  it("to a peer without Tincan's features, announces a file once its channel has opened (the original's order)", async () => {
    const hub = new FakeHub();
    hub.originals.add('bob');
    const { alice, bob, aliceId, bobId } = await pair({ receiveToDisk: false }, {}, hub);
    let release: (() => void) | null = null;
    const channels = watchFileChannels(alice, bobId, () => {
      const ch = channels.at(-1) as unknown as FakeChannel | undefined;
      if (!ch || ch.readyState !== 'connecting') return;
      const open = ch.open.bind(ch);
      ch.open = () => (release = open);
    });
    const chat = (
      alice as unknown as {
        links: Map<string, { chat: { send: (m: ChatMessage, via?: RTCDataChannel) => boolean } }>;
      }
    ).links.get(bobId)!.chat;
    const send = chat.send.bind(chat);
    const channelWhenAnnounced: string[] = [];
    chat.send = (m, via) => {
      if (m.file) channelWhenAnnounced.push(channels[0]?.readyState ?? 'none');
      return send(m, via);
    };
    alice.sendFiles(bobId, [new File(['some bytes'], 'a.txt', { type: 'text/plain' })]);
    // The channel would open now (a task after it was made; the announcement's steps before it
    // are microtasks): held, nothing is announced yet.
    await vi.waitFor(() => expect(release).not.toBeNull());
    expect(channelWhenAnnounced).toEqual([]);
    release!();
    await vi.waitFor(() =>
      expect(bob.store.getState().messages[aliceId]?.[0]?.file?.status).toBe('complete'),
    );
    expect(channelWhenAnnounced).toEqual(['open']);
  });

  it("makes a file's channel before the store's listeners hear of its card (they render it meanwhile)", async () => {
    const { alice, bob, aliceId, bobId } = await pair({ receiveToDisk: false });
    const channels = watchFileChannels(alice, bobId, () => {});
    const atFirstCard: number[] = [];
    const stop = alice.store.subscribe(() => {
      if (!atFirstCard.length && alice.store.getState().messages[bobId]?.some((m) => m.file))
        atFirstCard.push(channels.length);
    });
    alice.sendFiles(bobId, [new File(['some bytes'], 'a.txt', { type: 'text/plain' })]);
    await vi.waitFor(() =>
      expect(bob.store.getState().messages[aliceId]?.[0]?.file?.status).toBe('complete'),
    );
    stop();
    expect(atFirstCard).toEqual([1]);
  });

  it('announces a file while its channel opens, and sends its bytes only once it has opened', async () => {
    const { alice, bob, aliceId, bobId } = await pair({ receiveToDisk: false });
    let release = () => {};
    const channels = watchFileChannels(alice, bobId, () => {
      const ch = channels.at(-1) as unknown as FakeChannel | undefined;
      if (!ch || ch.readyState !== 'connecting') return;
      const open = ch.open.bind(ch);
      ch.open = () => (release = open);
    });
    alice.sendFiles(bobId, [new File(['some bytes'], 'a.txt', { type: 'text/plain' })]);
    const sent = () => alice.store.getState().messages[bobId]?.[0];
    const received = () => bob.store.getState().messages[aliceId]?.[0]?.file;
    await vi.waitFor(() => expect(sent()?.status).toBe('delivered'));
    expect(channels[0]?.readyState).toBe('connecting');
    expect(received()).toMatchObject({ status: 'waiting', bytes: 0 });
    release();
    await vi.waitFor(() => expect(received()?.status).toBe('complete'));
    expect(sent()?.file?.status).toBe('complete');
  });

  it('sends many files a few at a time, so a receiver never refuses one of them', async () => {
    const { alice, bob, aliceId, bobId } = await pair({ receiveToDisk: false });
    let most = 0;
    const channels: RTCDataChannel[] = watchFileChannels(alice, bobId, () => {
      most = Math.max(most, channels.filter((c) => c.readyState !== 'closed').length);
    });
    const n = MAX_INCOMING_FILES + 6;
    const files = Array.from({ length: n }, (_, i) => new File([`file ${i}`], `f${i}.txt`));
    alice.sendFiles(bobId, files);
    const done = (c: TincanClient, peer: string) =>
      c.store.getState().messages[peer]?.filter((m) => m.file?.status === 'complete').length;
    await vi.waitFor(() => expect(done(alice, bobId)).toBe(n), { timeout: 10000 });
    await vi.waitFor(() => expect(done(bob, aliceId)).toBe(n));
    expect(most).toBeLessThanOrEqual(MAX_OUTGOING_FILES);
  });

  it('shows a message sent without text once msgpatch orders fill it in', async () => {
    const { alice, bob, aliceId, bobId } = await pair();
    const ch = await openPatchChannel(bob, aliceId);
    rawSend(bob, aliceId, { messageId: 'streamed' }); // ids and timestamp only
    rawSend(bob, aliceId, { message: 'marker' });
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.map((m) => m.text)).toEqual(['marker']),
    );
    for (const value of ['Hel', 'lo'])
      ch.send(
        encodePatch({ kind: 'append', messageId: 'streamed', value }) as Uint8Array<ArrayBuffer>,
      );
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.find((m) => m.id === 'streamed')?.text).toBe(
        'Hello',
      ),
    );
    expect(alice.store.getState().messages[bobId]).toHaveLength(2);
  });

  it('keeps a chat going while signalling is down and drops the peer on offline otherwise', async () => {
    const { hub, alice, bob, aliceId, bobId } = await pair();
    hub.drop(aliceId); // Alice loses signalling; Bob is told she is offline.
    await vi.waitFor(() => expect(alice.store.getState().status).toBe('offline'));
    await vi.waitFor(() => expect(bob.store.getState().peers[aliceId]?.online).toBe(false));
    alice.sendText(bobId, 'still here');
    await vi.waitFor(() =>
      expect(bob.store.getState().messages[aliceId]?.[0]?.text).toBe('still here'),
    );
    await vi.waitFor(() =>
      expect(alice.store.getState().messages[bobId]?.[0]?.status).toBe('delivered'),
    );
  });

  it('shows hostile names and colours safely', async () => {
    const hub = new FakeHub();
    const alice = makeClient(hub, 'alice');
    const evil = makeClient(hub, '\u202eevil\u0000', { colorIndex: 7 });
    await vi.waitFor(() => expect(Object.keys(alice.store.getState().peers)).toHaveLength(1));
    hub.attributes.set([...hub.sockets.keys()][1]!, { preferred_color: '-5' });
    await alice.refreshPeers();
    const p = Object.values(alice.store.getState().peers)[0]!;
    expect(p.name).toBe('evil');
    expect(p.colorIndex).toBeGreaterThanOrEqual(0);
    expect(p.colorIndex).toBeLessThan(10);
    void evil;
  });
});

describe('peer identity from the server', () => {
  it('fetches profiles only for signed-in peers and shows their display name', async () => {
    const hub = new FakeHub();
    hub.identities.set('echo_bot', { authentication: 'jwt', is_bot: true });
    hub.profiles.set('echo_bot', { username: 'echo_bot', displayName: 'EchoBot', isBot: true });
    hub.profiles.set('EchoBot', { username: 'EchoBot', displayName: 'Should not be asked' });
    const alice = makeClient(hub, 'alice');
    makeClient(hub, 'echo_bot');
    const visitor = makeClient(hub, 'EchoBot');
    await vi.waitFor(() => expect(visitor.store.getState().nodeId).not.toBeNull());
    // What a visitor announces about itself must not make it a bot or signed in.
    hub.attributes.set(visitor.store.getState().nodeId ?? '', {
      is_bot: 'true',
      authentication: 'jwt',
    });
    await alice.refreshPeers();
    const peerNamed = (n: string) =>
      Object.values(alice.store.getState().peers).find((p) => p.name === n);
    await vi.waitFor(() => expect(peerNamed('echo_bot')?.account?.displayName).toBe('EchoBot'));
    await vi.waitFor(() => expect(peerNamed('EchoBot')).toBeDefined());
    expect(peerNamed('echo_bot')).toMatchObject({ authentication: 'jwt', isBot: true });
    expect(peerNamed('EchoBot')).toMatchObject({ authentication: 'none', isBot: false });
    expect(peerNamed('EchoBot')?.account).toBeUndefined();
    expect(hub.profileRequests).not.toContain('EchoBot');
    expect(hub.profileRequests).not.toContain('alice');
    // Later /conns refreshes reuse the cached profile.
    const asked = hub.profileRequests.length;
    await alice.refreshPeers();
    expect(hub.profileRequests.length).toBe(asked);
    expect(peerNamed('echo_bot')?.account?.displayName).toBe('EchoBot');
  });

  it('shows our own account profile when the server signed us in', async () => {
    const hub = new FakeHub();
    hub.identities.set('octocat', { authentication: 'session' });
    hub.profiles.set('octocat', { username: 'octocat', displayName: 'The Octocat' });
    const me = makeClient(hub, 'octocat');
    const visitor = makeClient(hub, 'guest');
    await vi.waitFor(() => expect(me.store.getState().account?.displayName).toBe('The Octocat'));
    expect(me.store.getState().authentication).toBe('session');
    await visitor.refreshPeers();
    expect(visitor.store.getState().authentication).toBe('none');
    expect(visitor.store.getState().account).toBeUndefined();
    expect(hub.profileRequests).not.toContain('guest');
  });

  it('looks the profile up by the account /conns names, not by the node name', async () => {
    const hub = new FakeHub();
    // A signed-in user renamed to someone else's name: the account decides what is shown.
    hub.identities.set('EchoBot', { authentication: 'session', username: 'mallory' });
    hub.profiles.set('mallory', { username: 'mallory', displayName: 'Mallory' });
    hub.profiles.set('EchoBot', { username: 'EchoBot', displayName: 'Should not be asked' });
    const alice = makeClient(hub, 'alice');
    const renamed = makeClient(hub, 'EchoBot');
    await alice.refreshPeers();
    const peer = () =>
      Object.values(alice.store.getState().peers).find((p) => p.name === 'EchoBot');
    await vi.waitFor(() => expect(peer()?.account?.displayName).toBe('Mallory'));
    expect(peer()?.username).toBe('mallory');
    await vi.waitFor(() => expect(renamed.store.getState().account?.displayName).toBe('Mallory'));
    expect(hub.profileRequests).not.toContain('EchoBot');
  });

  it('keeps the node name when the profile is missing', async () => {
    const hub = new FakeHub();
    hub.identities.set('renamed', { authentication: 'session' });
    const alice = makeClient(hub, 'alice');
    makeClient(hub, 'renamed');
    await vi.waitFor(() => expect(hub.profileRequests).toContain('renamed'));
    await alice.refreshPeers();
    const p = Object.values(alice.store.getState().peers).find((q) => q.name === 'renamed');
    expect(p?.authentication).toBe('session');
    expect(p?.account).toBeUndefined();
  });
});

describe('offers from throwaway connections', () => {
  it('leaves offers unanswered while too many connections are still negotiating', async () => {
    const hub = new FakeHub();
    const alice = makeClient(hub, 'alice', { maxNegotiating: 2 });
    await vi.waitFor(() => expect(alice.store.getState().nodeId).not.toBeNull());
    const me = alice.store.getState().nodeId!;
    const answers: string[] = [];
    // Three raw connections offer with descriptions that never connect (no such peer).
    for (const n of ['x1', 'x2', 'x3']) {
      const s = hub.connect('/api/ws') as unknown as FakeSocket;
      s.onmessage = ({ data }) => {
        if (data.includes('"answer"')) answers.push(n);
      };
      await vi.waitFor(() => expect(s.readyState).toBe(1));
      s.send(JSON.stringify({ register: { node_name: n } }));
      const offer = JSON.stringify({ type: 'offer', sdp: `fake:nowhere-${n}` });
      s.send(JSON.stringify({ sdp_offer: { type: 'offer', offer_json: offer, to_node_id: me } }));
    }
    await vi.waitFor(() => expect(answers).toEqual(['x1', 'x2']));
    const links = (alice as unknown as { links: Map<string, unknown> }).links;
    expect(links.size).toBe(2);
    // A real peer still gets through once the flood's connections are gone.
    for (const id of [...links.keys()]) hub.sockets.get(id)?.close();
    await vi.waitFor(() => expect(links.size).toBe(0));
    const bob = makeClient(hub, 'bob');
    await vi.waitFor(() => expect(idOf(bob, 'alice')).toBe(me));
    bob.selectPeer(me);
    await vi.waitFor(() => expect(bob.store.getState().peers[me]?.chatOpen).toBe(true));
  });
});

describe('server addresses from servers.json', () => {
  it('takes a url and an API prefix without a leading slash as paths on the page, as the original', () => {
    // The original adds the slash to a WebSocket path and fetches `${apiPrefix}/conns` relative
    // to the page (served at the root): "api" is /api there.
    const server = { ...testServer, url: 'api/ws', apiPrefix: 'api' };
    expect(resolveUrls(server, 'https://chat.example')).toEqual({
      ws: 'wss://chat.example/api/ws',
      api: 'https://chat.example/api',
    });
    // A protocol-relative prefix names another host; an empty one is the page's root.
    expect(
      resolveUrls({ ...server, apiPrefix: '//api.example/v1' }, 'https://chat.example').api,
    ).toBe('https://api.example/v1');
    expect(resolveUrls({ ...server, apiPrefix: '' }, 'http://127.0.0.1:8080').api).toBe(
      'http://127.0.0.1:8080',
    );
  });

  it('keeps absolute addresses and root paths', () => {
    const server = {
      ...testServer,
      url: 'wss://chat.dn42/api/ws',
      apiPrefix: 'https://chat.dn42/api/',
    };
    expect(resolveUrls(server, 'http://localhost:3000')).toEqual({
      ws: 'wss://chat.dn42/api/ws',
      api: 'https://chat.dn42/api',
    });
    expect(resolveUrls(testServer, 'http://127.0.0.1:1')).toEqual({
      ws: 'ws://127.0.0.1:1/api/ws',
      api: 'http://127.0.0.1:1/api',
    });
  });
});
