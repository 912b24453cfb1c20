import { existsSync } from 'node:fs';
import { expect, messages, openChat, send, shot, test, waitConnected, withBots } from './helpers';
import { recordPeerConnections } from './audio';
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

test('an ICE restart with EchoBot: both sides take new credentials and the path moves to them', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  await withBots(browser, { bots: ['echo'], initScript: recordPeerConnections }, async (me) => {
    await openChat(me.page, 'EchoBot');
    await waitConnected(me.page);
    await send(me.page, 'before the restart');
    const echo = messages(me.page, 'EchoBot').locator('[data-direction="in"]');
    await expect(echo.last()).toContainText('before the restart');
    // The browser restarts ICE (as after `failed`); the app negotiates it with the bot.
    const creds = await me.page.evaluate(async () => {
      const pc = (window as unknown as { __tincanPcs: RTCPeerConnection[] }).__tincanPcs.find(
        (p) => p.connectionState === 'connected',
      )!;
      const ufrag = (sdp?: string) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1] ?? '';
      const before = {
        local: ufrag(pc.localDescription?.sdp),
        remote: ufrag(pc.remoteDescription?.sdp),
      };
      pc.restartIce();
      await new Promise<void>((resolve) => {
        const check = () =>
          pc.signalingState === 'stable' &&
          ufrag(pc.localDescription?.sdp) !== before.local &&
          resolve();
        pc.addEventListener('signalingstatechange', check);
      });
      return {
        before,
        after: { local: ufrag(pc.localDescription?.sdp), remote: ufrag(pc.remoteDescription?.sdp) },
      };
    });
    // The bot's answer has credentials of its own, new (RFC 8445 9: both sides restart).
    expect(creds.after.remote).not.toBe('');
    expect(creds.after.remote).not.toBe(creds.before.remote);
    // The selected path is one of the new ICE session: its checks passed with the new
    // credentials on both ends.
    await expect
      .poll(
        () =>
          me.page.evaluate(async () => {
            const pc = (window as unknown as { __tincanPcs: RTCPeerConnection[] }).__tincanPcs.find(
              (p) => p.connectionState === 'connected',
            );
            if (!pc) return null;
            const stats = await pc.getStats();
            let pairId = '';
            stats.forEach((s) => {
              if (s.type === 'transport') pairId = s.selectedCandidatePairId ?? '';
            });
            const pair = stats.get(pairId);
            return pair
              ? {
                  local: stats.get(pair.localCandidateId)?.usernameFragment ?? '',
                  remote: stats.get(pair.remoteCandidateId)?.usernameFragment ?? '',
                }
              : null;
          }),
        { timeout: 30_000 },
      )
      .toEqual({ local: creds.after.local, remote: creds.after.remote });
    await send(me.page, 'after the restart');
    await expect(echo.last()).toContainText('after the restart');
  });
});
