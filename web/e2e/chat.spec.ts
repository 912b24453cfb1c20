import {
  expect,
  messages,
  openChat,
  peerButton,
  send,
  shot,
  test,
  uniq,
  waitConnected,
} from './helpers';
import { rawPeer, type RawPeerState } from './raw-peer';

declare global {
  interface Window {
    RP: RawPeerState;
  }
}

test('two visitors see each other, chat with delivered ticks, edit and delete', async ({
  users,
}) => {
  const [alice, bob] = await users(uniq('alice'), uniq('bob'));
  await expect(peerButton(alice!.page, bob!.name)).toBeVisible();
  await expect(peerButton(bob!.page, alice!.name)).toBeVisible();
  await shot(alice!.page, 'peer-list');

  await openChat(alice!.page, bob!.name);
  await waitConnected(alice!.page);
  await send(alice!.page, 'hello **bob**, see https://example.com/x');

  const sent = messages(alice!.page, bob!.name).locator('[data-direction="out"]').last();
  await expect(sent.getByRole('img', { name: 'Delivered' })).toBeVisible();
  await expect(sent).toHaveAttribute('data-status', 'delivered');
  // A link in our own (primary) bubble is underlined in the bubble's text colour.
  const ownLink = await sent.getByRole('link', { name: 'https://example.com/x' }).evaluate((a) => {
    const cs = getComputedStyle(a);
    return { line: cs.textDecorationLine, color: cs.color, under: cs.textDecorationColor };
  });
  expect(ownLink.line).toContain('underline');
  expect(ownLink.under).toBe(ownLink.color);

  // Bob did not open the chat: the message shows as unread in his list and tab title.
  await expect(peerButton(bob!.page, alice!.name)).toHaveAttribute(
    'aria-label',
    `${alice!.name}, 1 unread`,
  );
  await expect(bob!.page).toHaveTitle('(1) Tincan');
  await openChat(bob!.page, alice!.name);
  await expect(bob!.page).toHaveTitle('Tincan');
  const got = messages(bob!.page, alice!.name).locator('[data-direction="in"]').last();
  await expect(got.locator('strong')).toHaveText('bob');
  await expect(got.getByRole('link', { name: 'https://example.com/x' })).toHaveAttribute(
    'href',
    'https://example.com/x',
  );

  // Bob answers; Alice sees it and Bob gets a tick.
  await send(bob!.page, 'hi alice');
  await expect(messages(alice!.page, bob!.name).getByText('hi alice')).toBeVisible();
  await expect(
    messages(bob!.page, alice!.name).locator('[data-direction="out"]').last(),
  ).toHaveAttribute('data-status', 'delivered');

  // Edit: the peer sees the new text, marked edited.
  await sent.getByRole('button', { name: 'Message actions' }).click();
  await alice!.page.getByRole('menuitem', { name: 'Edit' }).click();
  await alice!.page.getByLabel('Edited message').fill('hello again');
  await alice!.page.getByLabel('Edited message').press('Enter'); // Enter saves, as in the composer
  await expect(got.locator('.message-text')).toHaveText('hello again');
  await expect(got.getByText('edited')).toBeVisible();
  await shot(bob!.page, 'conversation');

  // Delete asks first; Cancel keeps the message, on both sides.
  await sent.getByRole('button', { name: 'Message actions' }).click();
  await alice!.page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = alice!.page.getByRole('dialog', { name: 'Delete this message?' });
  await expect(confirm).toContainText(`It is removed for you and for ${bob!.name}.`);
  await shot(alice!.page, 'delete-confirm');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(sent.getByRole('button', { name: 'Message actions' })).toBeFocused();
  await expect(got.locator('.message-text')).toHaveText('hello again');
  // Delete: gone on both sides.
  await sent.getByRole('button', { name: 'Message actions' }).click();
  await alice!.page.getByRole('menuitem', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  // Focus goes to the message box, not lost with the deleted bubble (keyboard users).
  await expect(alice!.page.getByLabel('Message', { exact: true })).toBeFocused();
  await expect(messages(bob!.page, alice!.name).getByText('hello again')).toHaveCount(0);
  await expect(messages(alice!.page, bob!.name).getByText('hello again')).toHaveCount(0);
  await expect(messages(bob!.page, alice!.name).getByText('hi alice')).toBeVisible();
});

test('hostile markup from a peer stays inert text', async ({ users }) => {
  const [alice, bob] = await users(uniq('mallory'), uniq('victim'));
  await openChat(alice!.page, bob!.name);
  await waitConnected(alice!.page);
  const payload =
    '<img src=x onerror="window.__pwned=1"> [click](javascript:window.__pwned=2) <script>window.__pwned=3</script>';
  await send(alice!.page, payload);
  await openChat(bob!.page, alice!.name);
  const got = messages(bob!.page, alice!.name).locator('[data-direction="in"]').last();
  await expect(got.locator('.message-text')).toContainText('<img src=x onerror=');
  await expect(got.locator('img')).toHaveCount(0);
  await expect(got.getByRole('link')).toHaveCount(0);
  expect(
    await bob!.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
  ).toBeUndefined();
});

test('glare: both users click each other at once and still chat', async ({ users }) => {
  const [a, b] = await users(uniq('glareA'), uniq('glareB'));
  await expect(peerButton(a!.page, b!.name)).toBeVisible();
  await expect(peerButton(b!.page, a!.name)).toBeVisible();
  await Promise.all([peerButton(a!.page, b!.name).click(), peerButton(b!.page, a!.name).click()]);
  await waitConnected(a!.page);
  await waitConnected(b!.page);
  await send(a!.page, 'from A');
  await send(b!.page, 'from B');
  await expect(messages(b!.page, a!.name).getByText('from A')).toBeVisible();
  await expect(messages(a!.page, b!.name).getByText('from B')).toBeVisible();
  await expect(messages(a!.page, b!.name).locator('[data-direction="out"]')).toHaveAttribute(
    'data-status',
    'delivered',
  );
  await expect(messages(b!.page, a!.name).locator('[data-direction="out"]')).toHaveAttribute(
    'data-status',
    'delivered',
  );
});

test('glare with an original client: both call at once and still chat', async ({
  users,
  browser,
  server,
}) => {
  const [alice] = await users(uniq('glareApp'));
  // A peer speaking the original protocol, whose node id is the larger one: by node ids alone the
  // app would roll its own offer back, and so would the original (implicitly): nobody's stands.
  const conns = (await (await fetch(`${server.url}/api/conns`)).json()) as Record<
    string,
    { node_name?: string }
  >;
  const aliceId = Object.keys(conns).find((id) => conns[id]?.node_name === alice!.name);
  expect(aliceId).toBeTruthy();
  const original = await rawPeer(browser, server.url, uniq('original'), aliceId);
  expect(original.id > aliceId!).toBe(true);
  await original.collideOnNextOffer();
  await peerButton(alice!.page, original.name).click();
  await waitConnected(alice!.page);
  // The original sent its own offer before answering the app's: it was a real collision.
  expect(await original.page.evaluate(() => window.RP.answered)).toBe(1);
  await send(alice!.page, 'to the original');
  await expect(
    messages(alice!.page, original.name).locator('[data-direction="out"]'),
  ).toHaveAttribute('data-status', 'delivered');
  await original.page.evaluate(() => window.RP.send({ message: 'from the original' }));
  await expect(messages(alice!.page, original.name).getByText('from the original')).toBeVisible();
});

test('RTT is measured on both sides and shown in diagnostics', async ({ users }) => {
  const [a, b] = await users(uniq('rttA'), uniq('rttB'));
  await openChat(a!.page, b!.name);
  await waitConnected(a!.page);
  await openChat(b!.page, a!.name);
  for (const u of [a!, b!]) {
    await expect(u.page.getByTestId('peer-rtt')).toHaveText(/RTT \d+(\.\d+)? ms/);
    await u.page.getByRole('button', { name: 'Diagnostics' }).click();
    const diag = u.page.getByRole('region', { name: 'Diagnostics' });
    await expect(diag.getByLabel('Peer RTT (ping channel)')).toHaveText(/\d+(\.\d+)? ms/);
    await expect(diag.getByLabel('Server RTT (WebSocket echo)')).toHaveText(/\d+(\.\d+)? ms/);
    await expect(diag.getByLabel('Path')).toHaveText(/host|srflx|prflx|relay/);
    await expect(diag.getByRole('img', { name: 'Peer RTT history' })).toBeVisible();
  }
  await shot(a!.page, 'diagnostics');
});

test('conversation history survives a reload (IndexedDB)', async ({ users }) => {
  // A long name without spaces: the "earlier messages" divider must still fit a phone.
  const [alice, bob] = await users(uniq('reloader'), uniq('stayer') + 'x'.repeat(44));
  await openChat(alice!.page, bob!.name);
  await waitConnected(alice!.page);
  await send(alice!.page, 'remember me');
  await expect(messages(alice!.page, bob!.name).locator('[data-direction="out"]')).toHaveAttribute(
    'data-status',
    'delivered',
  );
  await openChat(bob!.page, alice!.name);
  await send(bob!.page, 'I will');
  await expect(messages(alice!.page, bob!.name).getByText('I will')).toBeVisible();
  // Wait until the conversation is written (no fixed delay).
  await expect
    .poll(() =>
      alice!.page.evaluate(
        (key) =>
          new Promise<number>((resolve) => {
            const req = indexedDB.open('tincan'); // whatever version the app made
            req.onsuccess = () => {
              const get = req.result.transaction('history').objectStore('history').get(key);
              get.onsuccess = () => {
                const items = (get.result as { items?: unknown } | undefined)?.items;
                resolve(Array.isArray(items) ? items.length : 0);
              };
            };
            req.onerror = () => resolve(0);
          }),
        `local:${bob!.name}`,
      ),
    )
    .toBe(2);

  // Bob watches his peer list through the reload: Alice must never be listed twice (her old
  // entry goes when her page closes its connections, not when they time out).
  await bob!.page.evaluate((name) => {
    const w = window as unknown as { __maxRows: number };
    w.__maxRows = 0;
    const count = () => {
      const n = document.querySelectorAll(
        `[aria-label="Peers"] [data-peer-name="${CSS.escape(name)}"]`,
      ).length;
      w.__maxRows = Math.max(w.__maxRows, n);
    };
    new MutationObserver(count).observe(document.body, { childList: true, subtree: true });
    count();
  }, alice!.name);
  await alice!.page.reload();
  // The pinned server reconnects by itself with the stored name.
  await expect(alice!.page.getByTestId('own-name')).toHaveText(alice!.name);
  // The row's last-message preview was kept too.
  await expect(peerButton(alice!.page, bob!.name)).toContainText('I will');
  await openChat(alice!.page, bob!.name);
  const list = messages(alice!.page, bob!.name);
  await expect(list.getByText('remember me')).toBeVisible();
  await expect(list.getByText('I will')).toBeVisible();
  await expect(list.getByText(/kept in this browser/)).toBeVisible();
  await alice!.page.setViewportSize({ width: 390, height: 800 });
  const divider = list.getByText(/kept in this browser/);
  expect(await divider.evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(390);
  await shot(alice!.page, 'restored-divider-phone');
  await waitConnected(alice!.page);
  await send(alice!.page, 'back again');
  await expect(messages(bob!.page, alice!.name).getByText('back again')).toBeVisible();
  expect(
    await bob!.page.evaluate(() => (window as unknown as { __maxRows: number }).__maxRows),
  ).toBe(1);
});

test('a conversation opens again where it was read', async ({ users }) => {
  const [alice, bob, carol] = await users(uniq('reader'), uniq('long'), uniq('other'));
  const page = alice!.page;
  await openChat(page, bob!.name);
  await waitConnected(page);
  for (const n of [1, 2, 3]) await send(page, `part ${n}\n${'line\n'.repeat(60)}end ${n}`);
  await expect(messages(page, bob!.name).locator('[data-status="delivered"]')).toHaveCount(3);
  const scroller = () => messages(page, bob!.name).locator('xpath=..');
  // Scroll up (waiting for the scroll event) to read the middle, then look at another chat.
  const top = await scroller().evaluate(
    (el) =>
      new Promise<number>((resolve) => {
        el.addEventListener('scroll', () => resolve(el.scrollTop), { once: true });
        el.scrollTop = Math.round(el.scrollHeight / 3);
      }),
  );
  await openChat(page, carol!.name);
  await openChat(page, bob!.name);
  await expect.poll(() => scroller().evaluate((el) => el.scrollTop)).toBeCloseTo(top, -1);
  // At the bottom when left: at the bottom when opened again.
  await scroller().evaluate(
    (el) =>
      new Promise((resolve) => {
        el.addEventListener('scroll', resolve, { once: true });
        el.scrollTop = el.scrollHeight;
      }),
  );
  await openChat(page, carol!.name);
  await openChat(page, bob!.name);
  await expect
    .poll(() => scroller().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
    .toBeLessThan(2);
});

test('a message that comes while earlier ones are read waits below: unread, and a button to it', async ({
  users,
}) => {
  const [alice, bob] = await users(uniq('writer'), uniq('reader'));
  await openChat(alice!.page, bob!.name);
  await waitConnected(alice!.page);
  for (const n of [1, 2, 3]) await send(alice!.page, `part ${n}\n${'line\n'.repeat(40)}end ${n}`);
  const page = bob!.page;
  await openChat(page, alice!.name);
  await expect(messages(page, alice!.name).getByText('end 3')).toBeVisible();
  // Bob scrolls up (waiting for the scroll event) to read the first part.
  const scroller = messages(page, alice!.name).locator('xpath=..');
  await scroller.evaluate(
    (el) =>
      new Promise((resolve) => {
        el.addEventListener('scroll', resolve, { once: true });
        el.scrollTop = 0;
      }),
  );
  await send(alice!.page, 'news at the bottom');
  const jump = page.getByRole('button', { name: '1 new message' });
  await expect(jump).toBeVisible();
  await expect(peerButton(page, alice!.name)).toHaveAttribute(
    'aria-label',
    `${alice!.name}, 1 unread`,
  );
  await expect(page).toHaveTitle('(1) Tincan');
  await shot(page, 'new-message-below');
  await jump.click();
  await expect(messages(page, alice!.name).getByText('news at the bottom')).toBeInViewport();
  await expect(jump).toBeHidden();
  await expect(page).toHaveTitle('Tincan');
  await expect(peerButton(page, alice!.name)).toHaveAttribute('aria-label', alice!.name);
});
