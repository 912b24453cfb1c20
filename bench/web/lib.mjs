// Shared by the web benchmarks: paths, Chromium (Debian's, through web/'s playwright-core),
// arguments, statistics, and a real tincan-server / tincan-agents started for one run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const { chromium } = createRequire(join(REPO, 'web/package.json'))('playwright-core');
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SERVER_BIN = process.env.TINCAN_SERVER_BIN ?? join(REPO, 'build/bin/tincan-server');
const AGENTS_BIN = process.env.TINCAN_AGENTS_BIN ?? join(REPO, 'build/bin/tincan-agents');

/** `--name value` pairs of the command line. */
export const ARGS = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);

/** A scratch directory for this run, removed by `removeWork()`. */
export const work = mkdtempSync(join(tmpdir(), 'tincan-bench-'));
export const removeWork = () => rmSync(work, { recursive: true, force: true });

export const median = (xs) => percentile(xs, 50);
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  const i = ((s.length - 1) * p) / 100;
  const lo = Math.floor(i);
  return lo === i ? s[i] : s[lo] + (s[lo + 1] - s[lo]) * (i - lo);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A tincan-server on a free loopback port, serving web/dist; `proc.kill()` stops it. */
export async function startServer() {
  const portFile = join(work, 'port');
  rmSync(portFile, { force: true });
  const proc = spawn(SERVER_BIN, ['--listen-addr', '127.0.0.1:0', '--port-file', portFile, '--web-root', join(REPO, 'web/dist'), '--management-listen', '', '--data-dir', join(work, 'data'), '--log-level', 'warn'], { stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    if (existsSync(portFile) && /^\d+$/.test(readFileSync(portFile, 'utf8').trim())) {
      const port = readFileSync(portFile, 'utf8').trim();
      return { proc, port, url: `http://127.0.0.1:${port}` };
    }
    if (proc.exitCode !== null || proc.signalCode !== null) break;
    await sleep(50); // waiting for the server's port file
  }
  throw new Error('server did not start');
}

/** tincan-agents running `bots` against `server`; `proc.kill()` stops it. */
export function startAgents(server, bots) {
  if (!existsSync(AGENTS_BIN)) throw new Error(`no agents binary at ${AGENTS_BIN}`);
  const proc = spawn(AGENTS_BIN, ['--ws-server', `ws://127.0.0.1:${server.port}/api/ws`, '--bots', bots.join(','), '--ice-server', '', '--bots-secret-env-file', join(work, 'none.env'), '--log-level', 'warn'], { stdio: 'ignore', cwd: work });
  return { proc };
}

/** Connects the app in `page` as visitor `name` (the connect screen, as a user does). */
export async function joinApp(page, name) {
  await page.getByLabel('Pick a username').fill(name);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByTestId('own-name').filter({ hasText: name }).waitFor();
}

/** Opens the conversation with `peer` in `page` and waits until its chat channel is open. */
export async function openChat(page, peer) {
  await page.getByRole('list', { name: 'Peers' }).locator(`[data-peer-name="${peer}"]`).click();
  await page.getByLabel('Message', { exact: true }).and(page.locator(':enabled')).waitFor({ timeout: 30000 });
}
