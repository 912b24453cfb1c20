import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceFileDigest } from '../src/rtc/testing/file-digest';
import type { Page } from '@playwright/test';
import { recordPeerConnections } from './audio';
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
  type User,
} from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'tincan-files-'));
/** A file with its SHA-256 and the app's file digest (SHA-256 of its 256 KiB blocks' SHA-256s). */
function makeFile(name: string, size: number) {
  const data = size ? randomBytes(size) : Buffer.alloc(0);
  const path = join(dir, name);
  writeFileSync(path, data);
  return {
    path,
    sha: createHash('sha256').update(data).digest('hex'),
    digest: referenceFileDigest(data),
  };
}

async function connectPair(users: (...n: string[]) => Promise<User[]>) {
  const [a, b] = await users(uniq('sender'), uniq('receiver'));
  await openChat(a!.page, b!.name);
  await waitConnected(a!.page);
  await openChat(b!.page, a!.name);
  return [a!, b!] as const;
}

/** The kernel's receive buffer (`ss` skmem rb, bytes) of the UDP socket bound to `port`. */
function udpReceiveBuffer(port: number): number {
  const out = execFileSync('ss', ['-uamnH', 'sport', '=', `:${port}`], { encoding: 'utf8' });
  return Math.max(0, ...[...out.matchAll(/\brb(\d+)/g)].map((m) => Number(m[1])));
}

/** The receive buffer of the UDP socket under `page`'s connected pair, and its transceivers. */
async function socketOf(page: Page) {
  const { port, transceivers } = await page.evaluate(async () => {
    const pc = (window as unknown as { __tincanPcs: RTCPeerConnection[] }).__tincanPcs.find(
      (p) => p.connectionState === 'connected',
    )!;
    const stats = await pc.getStats();
    let port = 0;
    stats.forEach((s) => {
      if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
      const pair = stats.get(s.selectedCandidatePairId);
      port = stats.get(pair.localCandidateId)?.port ?? 0;
    });
    const transceivers = pc
      .getTransceivers()
      .map((t) => `${t.receiver.track.kind} ${t.currentDirection}`);
    return { port, transceivers };
  });
  expect(port).toBeGreaterThan(0);
  return { receiveBuffer: udpReceiveBuffer(port), transceivers };
}

test('a large file between two Tincan apps gets large UDP socket buffers, and no media', async ({
  browser,
  server,
}) => {
  test.setTimeout(180_000);
  // Chromium gives a data-only connection 64 KiB (128 KiB in the kernel); for a large file the app
  // adds a receive-only video m-line, which makes it take 1 MiB
  // (PeerSession.requestLargeSocketBuffers).
  const [a, b] = await Promise.all(
    ['bufsender', 'bufreceiver'].map((n) =>
      join_(browser, server.url, uniq(n), recordPeerConnections),
    ),
  );
  try {
    await openChat(a!.page, b!.name);
    await waitConnected(a!.page);
    await openChat(b!.page, a!.name);
    // Chat alone keeps the original's data-only connection.
    for (const u of [a!, b!]) {
      const s = await socketOf(u.page);
      expect(s.receiveBuffer).toBeLessThanOrEqual(2 * 128 * 1024);
      expect(s.transceivers).toEqual([]);
    }

    const big = makeFile('large-64MiB.bin', 64 * 1024 * 1024);
    await a!.page.getByLabel('Choose files to send').setInputFiles(big.path);
    const got = messages(b!.page, a!.name).getByRole('group', { name: 'File large-64MiB.bin' });
    await expect(got).toHaveAttribute('data-transfer-status', 'complete', { timeout: 120_000 });
    await expect(got.getByTestId('sha256')).toHaveText(big.digest);
    for (const u of [a!, b!]) {
      const s = await socketOf(u.page);
      expect(s.receiveBuffer).toBeGreaterThan(2 * 128 * 1024);
      expect(s.transceivers).toEqual(['video inactive']);
    }
    // Nothing of it shows: no media element, and the chat goes on.
    await expect(b!.page.locator('audio, video')).toHaveCount(0);
    await send(a!.page, 'hello over a big buffer');
    await expect(messages(b!.page, a!.name).getByText('hello over a big buffer')).toBeVisible();
  } finally {
    await Promise.all([a!.context.close(), b!.context.close()]);
  }
});

test('two users send each other a large file at the same moment: both arrive verified', async ({
  users,
}) => {
  test.setTimeout(180_000);
  // Both senders renegotiate the large socket buffers in at once (glare, resolved by perfect
  // negotiation) while both transfers run.
  const [a, b] = await connectPair(users);
  const files = [
    makeFile('a-to-b.bin', 64 * 1024 * 1024),
    makeFile('b-to-a.bin', 64 * 1024 * 1024),
  ];
  await Promise.all([
    a.page.getByLabel('Choose files to send').setInputFiles(files[0]!.path),
    b.page.getByLabel('Choose files to send').setInputFiles(files[1]!.path),
  ]);
  for (const [to, from, f, name] of [
    [b, a, files[0]!, 'a-to-b.bin'],
    [a, b, files[1]!, 'b-to-a.bin'],
  ] as const) {
    const got = messages(to.page, from.name).getByRole('group', { name: `File ${name}` });
    await expect(got).toHaveAttribute('data-transfer-status', 'complete', { timeout: 120_000 });
    await expect(got.getByText('SHA-256 verified')).toBeVisible();
    await expect(got.getByTestId('sha256')).toHaveText(f.digest);
  }
  await send(a.page, 'both arrived');
  await expect(messages(b.page, a.name).getByText('both arrived')).toBeVisible();
});

test('a 20 MiB random file and a zero-byte file arrive with equal SHA-256', async ({ users }) => {
  test.setTimeout(180_000);
  const [a, b] = await connectPair(users);
  const big = makeFile('random-20MiB.bin', 20 * 1024 * 1024);
  const empty = makeFile('empty.txt', 0);
  await a.page.getByLabel('Choose files to send').setInputFiles([big.path, empty.path]);

  for (const f of [
    { name: 'random-20MiB.bin', digest: big.digest },
    { name: 'empty.txt', digest: empty.digest },
  ]) {
    const got = messages(b.page, a.name).getByRole('group', { name: `File ${f.name}` });
    await expect(got).toHaveAttribute('data-transfer-status', 'complete', { timeout: 90_000 });
    await expect(got.getByText('SHA-256 verified')).toBeVisible();
    await expect(got.getByTestId('sha256')).toHaveText(f.digest);
    const sent = messages(a.page, b.name).getByRole('group', { name: `File ${f.name}` });
    await expect(sent).toHaveAttribute('data-transfer-status', 'complete');
    await expect(sent.getByTestId('sha256')).toHaveText(f.digest);
  }
  // The peer list previews the last file with a file icon (not an emoji some systems lack).
  const row = b.page.getByRole('list', { name: 'Peers' }).locator(`[data-peer-name="${a.name}"]`);
  await expect(row).toContainText('empty.txt');
  await expect(row.getByRole('img', { name: 'File' })).toBeVisible();
  await expect(row).not.toContainText('📎');
  await shot(b.page, 'files-received');

  // The saved bytes are the sent bytes.
  const link = messages(b.page, a.name).getByRole('link', { name: 'random-20MiB.bin' });
  const [download] = await Promise.all([b.page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('random-20MiB.bin');
  const saved = readFileSync(await download.path());
  expect(createHash('sha256').update(saved).digest('hex')).toBe(big.sha);
});

test('cancelling mid-transfer stops both sides', async ({ users }) => {
  const [a, b] = await connectPair(users);
  const big = makeFile('cancel-me.bin', 64 * 1024 * 1024);
  await a.page.getByLabel('Choose files to send').setInputFiles(big.path);
  const incoming = messages(b.page, a.name).getByRole('group', { name: 'File cancel-me.bin' });
  await expect(incoming).toHaveAttribute('data-transfer-status', 'transferring', {
    timeout: 30_000,
  });
  // Wait until some bytes arrived, then the receiver cancels.
  await expect(incoming.getByTestId('transfer-status')).toHaveText('Transferring');
  await expect
    .poll(
      async () => Number(await incoming.getByRole('progressbar').getAttribute('aria-valuenow')),
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
  await incoming.getByRole('button', { name: 'Cancel transfer of cancel-me.bin' }).click();
  await expect(incoming).toHaveAttribute('data-transfer-status', 'cancelled');
  const outgoing = messages(a.page, b.name).getByRole('group', { name: 'File cancel-me.bin' });
  await expect(outgoing).toHaveAttribute('data-transfer-status', 'cancelled');
  await expect(incoming.getByRole('link')).toHaveCount(0);

  // The chat still works afterwards.
  await b.page.getByLabel('Message', { exact: true }).fill('still here');
  await b.page.getByLabel('Message', { exact: true }).press('Enter');
  await expect(messages(a.page, b.name).getByText('still here')).toBeVisible();
});

test('a video arrives with a thumbnail and plays inline; a hostile name is shown cleaned', async ({
  users,
}) => {
  const [a, b] = await connectPair(users);
  // A real WebM (VP8) clip, made by GStreamer (installed by scripts/setup).
  const clip = join(dir, 'clip.webm');
  execFileSync('gst-launch-1.0', [
    '-q',
    'videotestsrc',
    'num-buffers=60',
    '!',
    'video/x-raw,width=320,height=240,framerate=30/1',
    '!',
    'vp8enc',
    '!',
    'webmmux',
    '!',
    'filesink',
    `location=${clip}`,
  ]);
  // Right-to-left override: "invoice\u202Efdp.exe" displays as "invoiceexe.pdf" if rendered raw.
  const hostile = join(dir, 'invoice\u202Efdp.exe');
  writeFileSync(hostile, 'MZ');
  await a.page.getByLabel('Choose files to send').setInputFiles([clip]);

  const got = messages(b.page, a.name).getByRole('group', { name: 'File clip.webm' });
  await expect(got).toHaveAttribute('data-transfer-status', 'complete', { timeout: 60_000 });
  const video = got.getByLabel('Video clip.webm');
  await expect(video).toBeVisible();
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState))
    .toBeGreaterThanOrEqual(1);
  // The announcement carried a JPEG thumbnail of a frame: the player's poster.
  await expect(video).toHaveAttribute('poster', /^data:image\/jpeg;base64,/);
  await shot(b.page, 'video-received');

  await a.page.getByLabel('Choose files to send').setInputFiles([hostile]);
  const row = b.page.getByRole('list', { name: 'Peers' }).locator(`[data-peer-name="${a.name}"]`);
  await expect(row).toContainText('invoicefdp.exe');
  await expect(
    messages(b.page, a.name).getByRole('group', { name: 'File invoicefdp.exe' }),
  ).toBeVisible();
});
