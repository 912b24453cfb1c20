import {
  expect,
  join_,
  messages,
  openChat,
  peerButton,
  send,
  shot,
  test,
  uniq,
  waitConnected,
} from './helpers';
import { TincanServer } from './server';

test('server killed and restarted while chatting: chat continues, presence returns', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const server = new TincanServer();
  await server.start();
  const a = await join_(browser, server.url, uniq('steady'));
  const b = await join_(browser, server.url, uniq('friend'));
  try {
    await openChat(a.page, b.name);
    await waitConnected(a.page);
    await openChat(b.page, a.name);
    await send(a.page, 'before the outage');
    await expect(messages(b.page, a.name).getByText('before the outage')).toBeVisible();

    await server.kill();
    for (const u of [a, b]) {
      await expect(
        u.page.getByRole('status', { name: /Signalling: (Offline|Connecting…)/ }),
      ).toBeVisible();
      await expect(u.page.getByRole('alert')).toContainText('unreachable');
    }

    // Peer-to-peer chat keeps working while the server is gone.
    await send(a.page, 'during the outage');
    await expect(
      messages(b.page, a.name).getByText('during the outage', { exact: true }),
    ).toBeVisible();
    await expect(messages(a.page, b.name).locator('[data-direction="out"]').last()).toHaveAttribute(
      'data-status',
      'delivered',
    );
    await send(b.page, 'reply during the outage');
    await expect(messages(a.page, b.name).getByText('reply during the outage')).toBeVisible();
    // The banner and the badge still say offline, with the chat carried on beneath them.
    await expect(a.page.getByRole('alert')).toContainText('unreachable');
    await shot(a.page, 'signalling-down');

    await server.start(server.port);
    for (const u of [a, b]) {
      await expect(u.page.getByRole('status', { name: 'Signalling: Online' })).toBeVisible({
        timeout: 30_000,
      });
    }
    // Presence returns under new node ids, and the live conversation moves over to them:
    // one entry per person, history kept, no longer marked as signalling-offline.
    for (const [u, other] of [
      [a, b],
      [b, a],
    ] as const) {
      await expect(u.page.getByTestId('peer-state')).toHaveText(/^Connected$/, { timeout: 30_000 });
      await expect(peerButton(u.page, other.name)).toHaveCount(1);
      await expect(
        messages(u.page, other.name).getByText('during the outage', { exact: true }),
      ).toBeVisible();
    }
    await send(b.page, 'after the restart');
    await expect(messages(a.page, b.name).getByText('after the restart')).toBeVisible();
    await shot(a.page, 'after-restart');

    // A fresh conversation through the restarted server works.
    const fresh = await join_(browser, server.url, uniq('newcomer'));
    try {
      await openChat(fresh.page, a.name);
      await waitConnected(fresh.page);
      await send(fresh.page, 'hello newcomer');
      await expect(
        messages(fresh.page, a.name).locator('[data-direction="out"]').last(),
      ).toHaveAttribute('data-status', 'delivered');
    } finally {
      await fresh.context.close();
    }
  } finally {
    await a.context.close();
    await b.context.close();
    await server.stop();
  }
});
