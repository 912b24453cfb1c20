import { expect, messages, openChat, send, test, uniq, waitConnected } from './helpers';
import { rawPeer, type RawPeerState } from './raw-peer';

declare global {
  interface Window {
    RP: RawPeerState;
  }
}

test('a hostile peer cannot break the page: garbage, a burst, unannounced file channels, an HTML file', async ({
  users,
  browser,
  server,
}) => {
  const [alice, bob] = await users(uniq('target'), uniq('friend'));
  const mallory = await rawPeer(browser, server.url, uniq('mallory'));
  await mallory.call(alice!.name);
  const page = alice!.page;
  await openChat(page, mallory.name);
  const list = messages(page, mallory.name);

  // Undecodable frames (one nested 10 000 deep), then 3 000 messages as fast as the channel takes.
  await mallory.page.evaluate(async () => {
    const { RP } = window;
    const deep = `{"messageId":"d","x":${'['.repeat(10000)}${']'.repeat(10000)}}`;
    for (const s of ['{', 'null', '[1]', '{"messageId":5}', deep]) RP.chat.send(s);
    for (let i = 0; i < 3000; i++) {
      if (RP.chat.bufferedAmount > 1 << 20)
        await new Promise((r) => RP.chat.addEventListener('bufferedamountlow', r, { once: true }));
      RP.send({ message: `burst ${i}` });
    }
  });
  await expect(list.getByText('burst 2999', { exact: true })).toBeVisible();
  expect(await list.getByRole('listitem').count()).toBeLessThanOrEqual(200);

  // 80 `file` channels never announced, each sent a chunk: all closed, no writer worker started.
  const closed = await mallory.page.evaluate(async () => {
    const { RP } = window;
    const channels = await Promise.all(Array.from({ length: 80 }, () => RP.open('file')));
    const gone = channels.map(
      (c) =>
        new Promise((r) => (c.readyState === 'closed' ? r(0) : c.addEventListener('close', r))),
    );
    for (const c of channels) if (c.readyState === 'open') c.send(new Uint8Array(65536));
    await Promise.all(gone);
    return channels.filter((c) => c.readyState === 'closed').length;
  });
  expect(closed).toBe(80);
  expect(page.workers()).toHaveLength(0);

  // A file announced as text/html: opened from its link in a new tab, it downloads.
  await mallory.page.evaluate(async () => {
    const { RP } = window;
    const body = new TextEncoder().encode('<img src=x onerror="document.title=\'PWNED\'">');
    // Bytes go only after the ACK (PROTOCOL.md 4.7); the channel closes once they are confirmed.
    const ch = await RP.announceFile({
      category: 'file',
      name: 'evil.html',
      type: 'text/html',
      size: body.length,
    });
    await new Promise<void>((resolve) => {
      ch.addEventListener('message', (e: MessageEvent) => {
        if (new DataView(e.data as ArrayBuffer).getUint32(0) === body.length) resolve();
      });
      ch.send(body);
    });
    ch.close();
  });
  const link = list.getByRole('link', { name: 'evil.html' });
  await expect(link).toBeVisible();
  const tab = await alice!.context.newPage();
  const download = tab.waitForEvent('download');
  await tab.goto((await link.getAttribute('href'))!).catch(() => {}); // "Download is starting"
  expect((await download).suggestedFilename()).toBeTruthy();

  // The user still chats with a well-behaved peer, and nothing threw in the page.
  await openChat(bob!.page, alice!.name);
  await waitConnected(bob!.page);
  await send(bob!.page, 'still here');
  await openChat(page, bob!.name);
  await expect(messages(page, bob!.name).getByText('still here')).toBeVisible();
  expect(alice!.console.filter((l) => l.startsWith('pageerror'))).toEqual([]);
});
