import { expect, messages, peerButton, send, shot, test, uniq, waitConnected } from './helpers';

test('phone width (320 px) in dark mode: drawer, conversation and back, readable colours', async ({
  browser,
  server,
  users,
}) => {
  const [desk] = await users(uniq('desk'));
  const context = await browser.newContext({
    viewport: { width: 320, height: 640 },
    colorScheme: 'dark',
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  try {
    await page.goto(server.url);
    const name = uniq('phone');
    await page.getByLabel('Pick a username').fill(name);
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByTestId('own-name')).toHaveText(name);

    // Dark mode follows the system preference.
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = (bg.match(/\d+/g) ?? ['255', '255', '255']).map(Number);
    expect((r! + g! + b!) / 3).toBeLessThan(60);

    // With no chat open, the peer list fills the screen.
    await expect(peerButton(page, desk!.name)).toBeVisible();
    await shot(page, 'phone-peer-list-dark');
    await peerButton(page, desk!.name).click();
    await waitConnected(page);
    await expect(peerButton(page, desk!.name)).toBeHidden();
    await send(page, 'from my phone');
    await expect(messages(desk!.page, name).getByText('from my phone')).toHaveCount(0); // not opened yet
    await peerButton(desk!.page, name).click();
    await expect(messages(desk!.page, name).getByText('from my phone')).toBeVisible();
    await send(
      desk!.page,
      'hello phone, this is a longer reply that has to wrap on a narrow screen',
    );
    await expect(messages(page, desk!.name).getByText(/longer reply/)).toBeVisible();
    // The header's round-trip time stays one piece ("RTT 1.7 ms", not "RTT 1.7" above "ms").
    const rtt = page.getByTestId('peer-rtt');
    await expect(rtt).toBeVisible();
    const lineHeight = await rtt.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect((await rtt.boundingBox())!.height).toBeLessThan(lineHeight * 1.5);
    await shot(page, 'phone-conversation-dark');

    // Dragging a file over the conversation: the overlay is plain to see in dark mode too.
    const files = await page.evaluateHandle(() => {
      const d = new DataTransfer();
      d.items.add(new File(['x'], 'x.txt', { type: 'text/plain' }));
      return d;
    });
    const pane = page.getByRole('region', { name: `Conversation with ${desk!.name}` });
    await pane.dispatchEvent('dragover', { dataTransfer: files });
    const overlay = page.getByTestId('drop-overlay');
    await expect(overlay).toHaveText('Release to drop');
    // A framed card in the theme's colours, not a 40 % black veil that vanished on a dark page.
    const style = await overlay.evaluate((el) => {
      const cs = getComputedStyle(el);
      return {
        border: cs.borderTopStyle,
        width: parseFloat(cs.borderTopWidth),
        bg: cs.backgroundColor,
      };
    });
    expect(style).toMatchObject({ border: 'dashed' });
    expect(style.width).toBeGreaterThanOrEqual(3);
    expect(style.bg).toMatch(/^rgb\(/);
    await shot(page, 'phone-drop-overlay-dark');
    await pane.dispatchEvent('dragleave');
    // Dropped where nothing takes files (the header): refused, so the tab does not open the file.
    const refused = await page.evaluate(() => {
      const d = new DataTransfer();
      d.items.add(new File(['x'], 'x.txt', { type: 'text/plain' }));
      const e = new DragEvent('drop', { dataTransfer: d, bubbles: true, cancelable: true });
      document.querySelector('header')!.dispatchEvent(e);
      return e.defaultPrevented;
    });
    expect(refused).toBe(true);

    // Back to the list through the menu button.
    await page.getByRole('button', { name: 'Open peer list' }).click();
    await expect(peerButton(page, desk!.name)).toBeVisible();
  } finally {
    await context.close();
  }
});

test('keyboard only: reach a peer, type and send', async ({ users }) => {
  const [a, b] = await users(uniq('keys'), uniq('mouse'));
  const list = a!.page.getByRole('list', { name: 'Peers' });
  await expect(list.locator(`[data-peer-name="${b!.name}"]`)).toBeVisible();
  // Tab from the search field to the first peer and open it with Enter.
  await a!.page.getByLabel('Search by name').focus();
  await a!.page.keyboard.type(b!.name);
  await a!.page.keyboard.press('Tab');
  await expect(list.locator(`[data-peer-name="${b!.name}"]`)).toBeFocused();
  await a!.page.keyboard.press('Enter');
  await waitConnected(a!.page);
  // Opening the conversation hands the focus to the message box: typing goes there at once.
  await expect(a!.page.getByLabel('Message', { exact: true })).toBeFocused();
  await a!.page.keyboard.type('typed without a mouse');
  await a!.page.keyboard.press('Enter');
  await expect(messages(a!.page, b!.name).locator('[data-direction="out"]')).toHaveAttribute(
    'data-status',
    'delivered',
  );
});
