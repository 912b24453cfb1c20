// Accounts (issue 5) in the peer list: a bot signed in with a JWT from the management API shows
// as a signed-in Bot under its account's display name and avatar; a visitor that calls itself
// "EchoBot" shows no badge at all. Names are not identities.
import { existsSync } from 'node:fs';
import {
  expect,
  join_,
  messages,
  peerButton,
  send,
  shot,
  test,
  uniq,
  waitConnected,
  type User,
} from './helpers';
import { AGENTS_BIN, TincanAgents, TincanServer } from './server';

test.skip(!existsSync(AGENTS_BIN), `no agents binary at ${AGENTS_BIN}`);

const AVATAR =
  'data:image/svg+xml;base64,' +
  Buffer.from(
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'><circle cx='32' cy='32' r='32' fill='#1e88e5'/><text x='32' y='42' font-size='30' text-anchor='middle' fill='white' font-family='sans-serif'>E</text></svg>",
  ).toString('base64');

test('a JWT bot is a signed-in Bot with its display name; a visitor named EchoBot is not', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const server = new TincanServer({ management: true });
  await server.start();
  const agents = new TincanAgents();
  const users: User[] = [];
  try {
    const token = await server.addBot('echo_bot', 'EchoBot', AVATAR);
    agents.start(server, ['echo'], { tokens: { ECHOBOT_JWT_TOKEN: token } });
    const me = await join_(browser, server.url, uniq('viewer'));
    const impostor = await join_(browser, server.url, 'EchoBot');
    users.push(me, impostor);
    const page = me.page;

    // The bot registered under its account username and the server vouches for it.
    const bot = peerButton(page, 'echo_bot');
    await expect(bot).toBeVisible({ timeout: 30_000 });
    await expect(bot).toHaveAccessibleName('EchoBot, bot, signed in');
    await expect(bot.getByText('EchoBot', { exact: true })).toBeVisible();
    await expect(bot.getByText('Bot', { exact: true })).toBeVisible();
    await expect(bot.getByLabel('Signed in')).toBeVisible();
    const avatar = bot.locator('img');
    await expect(avatar).toHaveAttribute(
      'src',
      `${server.url}/api/profile/avatar?username=echo_bot`,
    );
    await expect
      .poll(() => avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);

    // Same display text, no server word: no badge, no profile, no account avatar.
    const fake = peerButton(page, 'EchoBot');
    await expect(fake).toBeVisible();
    await expect(fake).toHaveAccessibleName('EchoBot');
    await expect(fake.getByText('Bot', { exact: true })).toHaveCount(0);
    await expect(fake.getByLabel('Signed in')).toHaveCount(0);
    await expect(fake.locator('img')).toHaveCount(0);
    // ...and the impostor sees the real bot the same way.
    await expect(peerButton(impostor.page, 'echo_bot')).toHaveAccessibleName(
      'EchoBot, bot, signed in',
    );

    // The tooltip says how the peer signed in.
    await bot.getByLabel('Signed in').hover();
    await expect(page.getByRole('tooltip')).toHaveText(
      'Signed in with a bot token (JWT) as @echo_bot',
    );
    await shot(page, 'peer-list-identity-light');

    // The conversation header carries the same badges; the bot answers over WebRTC.
    await bot.click();
    const conversation = page.getByRole('region', { name: 'Conversation with EchoBot' });
    await expect(conversation.getByRole('heading', { name: 'EchoBot' })).toBeVisible();
    await expect(conversation.getByLabel('Signed in')).toBeVisible();
    await expect(conversation.getByText('Bot', { exact: true })).toBeVisible();
    await waitConnected(page);
    await send(page, 'echo signed');
    await expect(
      messages(page, 'EchoBot').locator('[data-direction="in"]').filter({ hasText: 'signed' }),
    ).toHaveCount(1);

    await page.emulateMedia({ colorScheme: 'dark' });
    await expect
      .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .not.toBe('rgb(245, 245, 245)');
    await shot(page, 'peer-list-identity-dark');

    // Phone width: the list is the page once the conversation is closed by going back.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Open peer list' }).click();
    await expect(peerButton(page, 'echo_bot').getByText('Bot', { exact: true })).toBeVisible();
    // The drawer slides in: wait until it rests at the left edge.
    const drawer = page.getByRole('navigation', { name: 'Peer list' });
    await expect.poll(async () => (await drawer.boundingBox())?.x).toBe(0);
    await shot(page, 'peer-list-identity-phone-dark');
  } finally {
    await Promise.all(users.map((u) => u.context.close()));
    await agents.stop();
    await server.stop();
  }
});
