import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, messages, openChat, peerButton, send, test, uniq, waitConnected } from './helpers';

/** WCAG 2.1 A and AA rules of axe-core, over the whole page as it is now. */
async function violations(page: Page, view: string) {
  // Colours are measured once transitions (a dialog fading in) have ended.
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running'),
  );
  const r = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return r.violations.map((v) => ({
    view,
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.html.slice(0, 200)} :: ${n.failureSummary}`),
  }));
}

for (const scheme of ['light', 'dark'] as const) {
  test(`accessibility (axe, WCAG 2.1 AA) of the main views, ${scheme}`, async ({
    browser,
    server,
    users,
  }) => {
    const found: Awaited<ReturnType<typeof violations>> = [];
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    try {
      await page.goto(server.url);
      await expect(page.getByLabel('Pick a username')).toBeVisible();
      found.push(...(await violations(page, 'connect screen')));

      const [bob] = await users(uniq('axeBob'));
      const name = uniq('axeAlice');
      await page.getByLabel('Pick a username').fill(name);
      await page.getByRole('button', { name: 'Connect' }).click();
      await expect(peerButton(page, bob!.name)).toBeVisible();
      found.push(...(await violations(page, 'peer list')));

      await peerButton(page, bob!.name).click();
      await waitConnected(page);
      await send(page, 'hello **bob**, see https://example.org');
      await send(page, '> a quote\n\n- a list item');
      await openChat(bob!.page, name);
      await send(bob!.page, 'a reply with `code`');
      await expect(messages(page, bob!.name).getByText('a reply with')).toBeVisible();
      // A file each way: the sender's card (sent) and the receiver's (verified).
      const file = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes\n') };
      await page.getByLabel('Choose files to send').setInputFiles(file);
      await bob!.page.getByLabel('Choose files to send').setInputFiles({ ...file, name: 'b.txt' });
      await expect(messages(page, bob!.name).getByText('b.txt')).toBeVisible();
      await expect(messages(page, bob!.name).getByText('SHA-256 verified')).toBeVisible();
      await expect(messages(page, bob!.name).getByText('Sent', { exact: true })).toBeVisible();
      await page.getByRole('button', { name: 'Diagnostics' }).click();
      found.push(...(await violations(page, 'conversation with files and diagnostics')));

      await page.getByRole('button', { name: 'Preferences' }).click();
      await expect(page.getByRole('dialog')).toBeVisible();
      found.push(...(await violations(page, 'preferences dialog')));
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog')).toBeHidden();

      await messages(page, bob!.name)
        .locator('[data-direction="out"]')
        .first()
        .getByRole('button', { name: 'Message actions' })
        .click();
      await page.getByRole('menuitem', { name: 'Delete' }).click();
      await expect(page.getByRole('dialog')).toBeVisible();
      found.push(...(await violations(page, 'delete dialog')));
      await page.keyboard.press('Escape');
    } finally {
      await context.close();
    }
    expect(found).toEqual([]);
  });
}
