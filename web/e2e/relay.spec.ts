import { CoturnRelay } from './coturn';
import {
  expect,
  join_,
  messages,
  openChat,
  send,
  shot,
  test,
  uniq,
  waitConnected,
} from './helpers';
import { TincanServer } from './server';

// A user who chose "relay only" reaches peers through the server's coturn with the time-limited
// credentials tincan-server hands out (GET /api/ice-servers): her peer never sees her addresses.
test('relay-only chat goes through coturn with credentials from the server', async ({
  browser,
}) => {
  const relay = new CoturnRelay();
  await relay.start();
  const server = new TincanServer({
    args: ['--turn-url', relay.url],
    env: { TURN_STATIC_AUTH_SECRET: relay.secret },
  });
  await server.start();
  try {
    const alice = await join_(browser, server.url, uniq('alice'));
    const bob = await join_(browser, server.url, uniq('bob'));

    await alice.page.getByRole('button', { name: 'Preferences' }).click();
    const prefs = alice.page.getByRole('dialog', { name: 'Preferences' });
    await expect(prefs.getByText(/never learn your IP address/)).toBeVisible();
    await prefs.getByRole('switch', { name: "Connect through the server's relay only" }).check();
    await prefs.getByRole('button', { name: 'Save' }).click();

    await openChat(alice.page, bob.name);
    await waitConnected(alice.page);
    await send(alice.page, 'through the relay');
    await openChat(bob.page, alice.name);
    await expect(messages(bob.page, alice.name).getByText('through the relay')).toBeVisible();
    const sent = messages(alice.page, bob.name).locator('[data-direction="out"]').last();
    await expect(sent).toHaveAttribute('data-status', 'delivered');

    // Alice's side of the path is a relay candidate; Bob reaches her at the relay's address
    // (typed prflx when his check answer comes before her candidate), never at one of hers.
    await alice.page.getByRole('button', { name: 'Diagnostics' }).click();
    const diag = alice.page.getByRole('region', { name: 'Diagnostics' });
    await expect(diag.getByLabel('Path')).toHaveText(/^relay → /);
    await shot(alice.page, 'diagnostics-relay');
    await bob.page.getByRole('button', { name: 'Diagnostics' }).click();
    const bobDiag = bob.page.getByRole('region', { name: 'Diagnostics' });
    await expect(bobDiag.getByLabel('Path')).toHaveText(/ → (relay|prflx)$/);

    // coturn accepted the server's credential for an allocation.
    expect(relay.log()).toMatch(/ALLOCATE processed, success/);
    await Promise.all([alice.context.close(), bob.context.close()]);
  } finally {
    await server.stop();
    await relay.stop();
  }
});
