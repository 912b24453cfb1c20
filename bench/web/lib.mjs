// Shared by the web benchmarks: paths, Chromium (Debian's, through web/'s playwright-core),
// arguments, statistics, CPU accounting per browser thread, and a real tincan-server /
// tincan-agents started for one run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

const TICK = 100; // USER_HZ on Linux

/** CPU seconds per `side/process type/thread name` of one browser (all its processes). */
async function cpuSnapshot(session, side) {
  const { processInfo } = await session.send('SystemInfo.getProcessInfo');
  const out = new Map();
  for (const p of processInfo) {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${p.id}/task`);
    } catch {
      continue;
    }
    try {
      // The process's own figure also holds threads that have ended (workers terminated at the end).
      const f = readFileSync(`/proc/${p.id}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(`${p.id}`, { key: `${side} ${p.type} (process)`, s: (Number(f[11]) + Number(f[12])) / TICK, flt: Number(f[7]) });
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${p.id}/task/${tid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const name = stat.slice(stat.indexOf('(') + 1, close).replace(/[0-9]+$/, '');
        const f = stat.slice(close + 2).split(' ');
        out.set(`${p.id}/${tid}`, { key: `${side} ${p.type} ${name}`, s: (Number(f[11]) + Number(f[12])) / TICK, flt: Number(f[7]) });
      } catch {
        // the thread ended between listing and reading
      }
    }
  }
  return out;
}

/** Busy, iowait and steal seconds of the whole machine (/proc/stat). */
function systemCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { busy: (user + nice + system + irq + softirq) / TICK, iowait: iowait / TICK, steal: steal / TICK };
}

/**
 * Starts CPU accounting on both browsers of a pair ({senderBrowser, receiverCtx}); the returned
 * function gives CPU seconds per `side process-type thread-name` and minor page faults.
 */
export async function cpuMeter(pair) {
  const sessions = [
    ['sender', await pair.senderBrowser.newBrowserCDPSession()],
    ['receiver', await (pair.receiverCtx.browser() ?? pair.receiverCtx).newBrowserCDPSession()],
  ];
  const snap = async () => new Map((await Promise.all(sessions.map(([side, s]) => cpuSnapshot(s, side)))).flatMap((m) => [...m]));
  const before = await snap();
  const sysBefore = systemCpu();
  return async () => {
    const by = {};
    const sysAfter = systemCpu();
    // Per process: its threads' deltas, and what is left of the process's delta as ended threads.
    const procs = {};
    const faults = {};
    for (const [id, t] of await snap()) {
      const d = t.s - (before.get(id)?.s ?? 0);
      const pid = id.split('/')[0];
      const flt = t.flt - (before.get(id)?.flt ?? 0);
      if (flt > 0) faults[t.key] = (faults[t.key] ?? 0) + flt;
      if (!id.includes('/')) {
        procs[pid] = { ...procs[pid], key: t.key.replace('(process)', '(ended threads)'), total: d };
        continue;
      }
      by[t.key] = (by[t.key] ?? 0) + d;
      procs[pid] = { ...procs[pid], threads: (procs[pid]?.threads ?? 0) + d };
    }
    for (const p of Object.values(procs)) if (p.key) by[p.key] = (by[p.key] ?? 0) + Math.max(0, p.total - (p.threads ?? 0));
    // The rest of the machine in the same time: kernel threads (softirq, disk writeback), other processes.
    const browsers = Object.values(by).reduce((a, b) => a + b, 0);
    by['machine: everything else'] = sysAfter.busy - sysBefore.busy - browsers;
    by['machine: iowait'] = sysAfter.iowait - sysBefore.iowait;
    by['machine: steal'] = sysAfter.steal - sysBefore.steal;
    return { cpu: by, faults };
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A tincan-server on a free loopback port, serving `webRoot` (web/dist); `proc.kill()` stops it.
 * `tag` keeps a second server's port file and data apart.
 */
export async function startServer(webRoot = join(REPO, 'web/dist'), tag = '') {
  const portFile = join(work, `port${tag}`);
  rmSync(portFile, { force: true });
  const proc = spawn(SERVER_BIN, ['--listen-addr', '127.0.0.1:0', '--port-file', portFile, '--web-root', webRoot, '--management-listen', '', '--data-dir', join(work, `data${tag}`), '--log-level', 'warn'], { stdio: 'ignore' });
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
/** Gives a bare page a file input `#id` holding the file at `path` (read as `#id`.files[0]). */
export async function attachFile(page, id, path) {
  await page.evaluate((inputId) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = inputId;
    document.body.append(input);
  }, id);
  await page.setInputFiles(`#${id}`, path);
}

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
