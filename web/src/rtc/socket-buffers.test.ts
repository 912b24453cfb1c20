import { describe, expect, it, vi } from 'vitest';
import { LARGE_FILE, type TincanClient } from './client';
import { startClient } from './testing/clients';
import { FakeHub } from './testing/fake-network';

const idOf = (c: TincanClient, name: string) =>
  Object.values(c.store.getState().peers).find((p) => p.name === name)?.nodeId ?? '';

/** The transceivers of `from`'s connection to `peer`. */
function transceivers(from: TincanClient, peer: string) {
  const links = (from as unknown as { links: Map<string, { session: { pc: RTCPeerConnection } }> })
    .links;
  return links
    .get(peer)!
    .session.pc.getTransceivers()
    .map((t) => ({ kind: t.receiver.track.kind, direction: t.direction }));
}

/** A file of `size` bytes whose reading never ends (the test looks only at what comes first). */
function endlessFile(size: number): File {
  const f = new File([], 'big.bin', { type: 'application/octet-stream' });
  Object.defineProperty(f, 'size', { value: size });
  Object.defineProperty(f, 'stream', {
    value: () => new ReadableStream({ type: 'bytes', pull: () => new Promise(() => {}) }),
  });
  return f;
}

/**
 * Alice opens a chat with Bob and sends him a file of `size` bytes; `bob` says how the server
 * lists Bob (as /conns does for an original client, a bot, or a Tincan app). Alice's
 * transceivers to Bob before and after.
 */
async function aliceSendsBob(
  size: number,
  bob: { original?: boolean; bot?: boolean } = {},
  largeFile?: number,
) {
  const hub = new FakeHub();
  if (bob.bot) hub.identities.set('bob', { authentication: 'jwt', is_bot: true });
  if (bob.original) hub.originals.add('bob');
  const alice = startClient(hub, 'alice', largeFile === undefined ? {} : { largeFile });
  startClient(hub, 'bob');
  await vi.waitFor(() => expect(idOf(alice, 'bob')).not.toBe(''));
  const bobId = idOf(alice, 'bob');
  alice.selectPeer(bobId);
  await vi.waitFor(() => expect(alice.store.getState().peers[bobId]?.chatOpen).toBe(true));
  const before = transceivers(alice, bobId);
  alice.sendFiles(bobId, [endlessFile(size)]);
  return { before, after: transceivers(alice, bobId) };
}

describe('large socket buffers for large files between Tincan apps', () => {
  it('adds a receive-only video m-line for a large file to a Tincan app (no media)', async () => {
    expect(await aliceSendsBob(LARGE_FILE)).toEqual({
      before: [],
      after: [{ kind: 'video', direction: 'recvonly' }],
    });
  });

  it('keeps the data-only connection for a smaller file', async () => {
    expect((await aliceSendsBob(LARGE_FILE - 1)).after).toEqual([]);
  });

  it('takes the size from which a file gets them from the options', async () => {
    expect((await aliceSendsBob(1024 * 1024, {}, 1024 * 1024)).after).toEqual([
      { kind: 'video', direction: 'recvonly' },
    ]);
    expect((await aliceSendsBob(LARGE_FILE, {}, LARGE_FILE + 1)).after).toEqual([]);
  });

  it("keeps the original's data-only connection towards an original client", async () => {
    expect((await aliceSendsBob(LARGE_FILE, { original: true })).after).toEqual([]);
  });

  it("keeps the original's data-only connection towards a bot, whatever it announces", async () => {
    expect((await aliceSendsBob(LARGE_FILE, { bot: true })).after).toEqual([]);
  });
});
