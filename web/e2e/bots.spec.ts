import { existsSync } from 'node:fs';
import { expect, messages, openChat, send, shot, test, waitConnected, withBots } from './helpers';
import { AGENTS_BIN } from './server';

test.skip(!existsSync(AGENTS_BIN), `no agents binary at ${AGENTS_BIN}`);

test('chat with EchoBot and ClockBot (C++ webrtcbin peers) through the UI', async ({ browser }) => {
  test.setTimeout(120_000);
  await withBots(browser, { bots: ['echo', 'clock'] }, async (me) => {
    await openChat(me.page, 'EchoBot');
    await waitConnected(me.page);
    await send(me.page, 'echo **this**');
    const echo = messages(me.page, 'EchoBot');
    await expect(echo.locator('[data-direction="out"]')).toHaveAttribute(
      'data-status',
      'delivered',
    );
    await expect(echo.locator('[data-direction="in"] strong')).toHaveText('this');
    // Bots do not take files: the attachment button says so.
    await expect(me.page.getByRole('button', { name: 'Attach files' })).toBeDisabled();

    await openChat(me.page, 'ClockBot');
    await waitConnected(me.page);
    await send(me.page, '/now');
    const clock = messages(me.page, 'ClockBot')
      .locator('[data-direction="in"]')
      .filter({ hasText: 'Current Time' });
    await expect(clock).toHaveCount(1, { timeout: 20_000 });
    // The bot keeps replacing the same message over its msgpatch channel.
    const first = await clock.locator('.message-text').innerText();
    await expect(clock.locator('.message-text')).not.toHaveText(first, { timeout: 10_000 });
    await expect(clock).toHaveCount(1);
    await shot(me.page, 'clockbot');
  });
});
