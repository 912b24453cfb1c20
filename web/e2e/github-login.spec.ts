// Accounts (issue 5): the whole GitHub sign-in in Chromium against a loopback GitHub
// (build/bin/fake-github: consent page, token endpoint with PKCE checks, /user, revocation).
// The page clicks "Sign in with GitHub", consents, comes back signed in, connects, and another
// peer sees the account with its display name and the "signed in" badge.
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { join_, peerButton, shot } from './helpers';
import { ARTIFACTS, REPO } from './server';

const BIN_DIR = process.env.TINCAN_BIN_DIR ?? join(REPO, 'build/bin');
const WEB_ROOT = join(REPO, 'web/dist');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function startFakeGithub(): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(
    join(BIN_DIR, 'fake-github'),
    ['gh-client', 'gh-secret', 'octocat', '583231', 'The Octocat'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fake-github did not start')), 10_000);
    proc.stdout?.on('data', (chunk: Buffer) => {
      const m = /listening (\d+)/.exec(chunk.toString());
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]) });
      }
    });
    proc.once('exit', () => reject(new Error('fake-github exited')));
  });
}

async function startServer(port: number, githubPort: number): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-e2e-gh-'));
  const portFile = join(dir, 'port');
  const base = `http://127.0.0.1:${port}`;
  const github = `http://127.0.0.1:${githubPort}`;
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = createWriteStream(join(ARTIFACTS, 'e2e-server-github.log'), { flags: 'a' });
  const proc = spawn(
    join(BIN_DIR, 'tincan-server'),
    [
      ...['--listen-addr', `127.0.0.1:${port}`, '--port-file', portFile],
      ...['--web-root', WEB_ROOT, '--management-listen', '', '--data-dir', join(dir, 'data')],
      ...['--github-oauth-base-url', github, '--github-api-base-url', github],
      ...['--github-login-redir-url', `${base}/api/github/login/auth`],
      ...['--login-success-redir-url', `${base}/`],
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GH_LOGIN_CLIENT_ID: 'gh-client', GH_LOGIN_CLIENT_SECRET: 'gh-secret' },
    },
  );
  proc.stdout?.pipe(log);
  proc.stderr?.pipe(log);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error('tincan-server exited; see e2e-server-github.log');
    if (existsSync(portFile) && readFileSync(portFile, 'utf8').trim() === String(port)) {
      rmSync(portFile, { force: true });
      return proc;
    }
    await new Promise((r) => setTimeout(r, 50)); // polling a file the server writes
  }
  throw new Error('tincan-server did not start');
}

test('sign in with GitHub (loopback GitHub), connect, and be seen as signed in', async ({
  browser,
}) => {
  const github = await startFakeGithub();
  const port = await freePort();
  const server = await startServer(port, github.port);
  const url = `http://127.0.0.1:${port}`;
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await expect(page.getByRole('heading', { name: 'Authorize tincan' })).toBeVisible();
    await page.getByRole('button', { name: 'Authorize' }).click();
    await expect(page.getByText(/Logged in as (The Octocat|octocat)/)).toBeVisible();
    await page.getByRole('button', { name: 'Connect' }).click();
    // Our own card: the account's display name and the server's badge (PROTOCOL.md 7.3).
    await expect(page.getByTestId('own-name')).toHaveText('The Octocat');

    const visitor = await join_(browser, url, 'visitor-gh');
    // The other peer sees the account: its display name and the server's "signed in" badge,
    // no Bot chip; the data-peer-name stays the node name (the username).
    const octoRow = peerButton(visitor.page, 'octocat');
    await expect(octoRow).toBeVisible();
    await expect(octoRow).toHaveAccessibleName('The Octocat, signed in');
    await expect(octoRow.getByText('The Octocat', { exact: true })).toBeVisible();
    await expect(octoRow.getByLabel('Signed in')).toBeVisible();
    await expect(octoRow.getByText('Bot', { exact: true })).toHaveCount(0);
    // ...and the signed-in user sees the visitor without any badge.
    const seen = peerButton(page, 'visitor-gh');
    await expect(seen).toHaveAccessibleName('visitor-gh');
    await expect(seen.getByLabel('Signed in')).toHaveCount(0);
    await expect(page.getByLabel('Signed in')).toHaveCount(1); // our own card's
    await shot(page, 'own-card-signed-in-github');
    await octoRow.click();
    const conversation = visitor.page.getByRole('region', {
      name: 'Conversation with The Octocat',
    });
    await expect(conversation.getByRole('heading', { name: 'The Octocat' })).toBeVisible();
    await expect(conversation.getByLabel('Signed in')).toBeVisible();
    await shot(visitor.page, 'peer-list-signed-in-github');

    const conns = (await (await fetch(`${url}/api/conns`)).json()) as Record<
      string,
      { node_name?: string; authentication?: string }
    >;
    const octocat = Object.values(conns).find((c) => c.node_name === 'octocat');
    expect(octocat?.authentication).toBe('session');

    const profile = (await (await fetch(`${url}/api/profile?username=octocat`)).json()) as {
      displayName?: string;
    };
    expect(profile.displayName).toBe('The Octocat');
    await visitor.context.close();

    // Sign out from the own card: back on the connect screen, offered the sign-in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('link', { name: 'Sign in with GitHub' })).toBeVisible();
    await expect(page.getByText(/Logged in as/)).toHaveCount(0);
  } finally {
    await context.close();
    server.kill('SIGTERM');
    github.proc.kill('SIGTERM');
  }
});
