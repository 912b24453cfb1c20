import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type Page,
} from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeRawPeers } from './raw-peer';
import { SCREENSHOTS, TincanAgents, TincanServer, type AgentOptions } from './server';

export { expect };

export interface User {
  name: string;
  context: BrowserContext;
  page: Page;
  console: string[];
}

/** One real server per worker; tests that kill it start their own. */
export const test = base.extend<
  { users: (...names: string[]) => Promise<User[]> },
  { server: TincanServer }
>({
  server: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture names from the pattern
    async ({}, use) => {
      const s = new TincanServer();
      await s.start();
      await use(s);
      await s.stop();
    },
    { scope: 'worker' },
  ],
  users: async ({ browser, server }, use, testInfo) => {
    const made: User[] = [];
    await use(async (...names) => {
      const list = await Promise.all(names.map((n) => join_(browser, server.url, n)));
      made.push(...list);
      return list;
    });
    if (testInfo.status !== testInfo.expectedStatus || process.env.E2E_KEEP_CONSOLE) {
      for (const u of made) {
        await u.page
          .screenshot({ path: testInfo.outputPath(`failure-${u.name}.png`) })
          .catch(() => {});
        writeFileSync(testInfo.outputPath(`console-${u.name}.txt`), u.console.join('\n'));
      }
    }
    await Promise.all(made.map((u) => u.context.close()));
    // Original-like peers of the test (raw-peer.ts) go too: left open they stay online for the
    // rest of the worker's tests.
    await closeRawPeers();
  },
});

let seq = 0;
/** A unique display name per test run, so leftovers from other tests never match. */
export const uniq = (prefix: string) => `${prefix}${++seq}x${process.pid % 1000}`;

/** `initScript` runs in the page before the app (e.g. a test hook recording RTCPeerConnections). */
export async function join_(
  browser: Browser,
  url: string,
  name: string,
  initScript?: () => void,
): Promise<User> {
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1200, height: 800 },
  });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.getByLabel('Pick a username').fill(name);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('own-name')).toHaveText(name);
  await expect(page.getByRole('status', { name: 'Signalling: Online' })).toBeVisible();
  return { name, context, page, console: log };
}

export function peerButton(page: Page, name: string) {
  return page.getByRole('list', { name: 'Peers' }).locator(`[data-peer-name="${name}"]`);
}

/** Opens the conversation with `peer` and waits until the chat channel is open. */
export async function openChat(page: Page, peer: string) {
  await peerButton(page, peer).click();
  await expect(page.getByRole('region', { name: `Conversation with ${peer}` })).toBeVisible();
}

export async function waitConnected(page: Page) {
  await expect(page.getByTestId('peer-state')).toHaveText(/^Connected/, { timeout: 30_000 });
  await expect(page.getByLabel('Message', { exact: true })).toBeEnabled();
}

export async function send(page: Page, text: string) {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

export function messages(page: Page, peer: string) {
  return page.getByRole('list', { name: `Messages with ${peer}` });
}

export async function shot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Transitions (dialogs fading in, menus fading out) are taken at their end.
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
}

const BOT_NAMES: Record<string, string> = {
  echo: 'EchoBot',
  counter: 'CounterBot',
  clock: 'ClockBot',
  music: 'MusicBot',
  chat: 'ChatBot',
};

export interface BotRun extends AgentOptions {
  bots: string[];
  initScript?: () => void;
}

/**
 * Runs `body` as a fresh visitor of a fresh server next to tincan-agents running `run.bots`,
 * once every bot is listed; the page's screenshot and console are kept if `body` fails.
 */
export async function withBots(
  browser: Browser,
  run: BotRun,
  body: (me: User) => Promise<void>,
): Promise<void> {
  const server = new TincanServer();
  await server.start();
  const agents = new TincanAgents();
  agents.start(server, run.bots, run);
  let me: User | undefined;
  try {
    me = await join_(browser, server.url, uniq('human'), run.initScript);
    for (const bot of run.bots) {
      await expect(peerButton(me.page, BOT_NAMES[bot] ?? bot)).toBeVisible({ timeout: 30_000 });
    }
    await body(me);
  } catch (e) {
    if (me) {
      const info = base.info();
      await me.page.screenshot({ path: info.outputPath('failure.png') }).catch(() => {});
      writeFileSync(info.outputPath('console.txt'), me.console.join('\n'));
    }
    throw e;
  } finally {
    await me?.context.close();
    await agents.stop();
    await server.stop();
  }
}
