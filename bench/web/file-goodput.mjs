#!/usr/bin/env node
// Web file transfer benchmark: goodput browser->browser through the app vs a raw RTCDataChannel
// baseline vs the original client's algorithm, all in one run on the same machine, plus the
// receiving side's memory (renderer RSS, ArrayBuffer backing store, whole-browser RSS growth).
//
//   node bench/web/file-goodput.mjs [--sizes 20M,256M,1G] [--runs 5]
//                                   [--modes raw,original,app,app-memory,app-nodigest,app-nodigest-s,app-nodigest-r,
//                                            app-novideo,app-video,app-second,app-memfile,raw+app,raw+appconn,raw+late,raw+perfile,raw+hash,
//                                            raw+video[-w<KiB>],raw+feedback,raw+load,raw+load-fine,raw+load-s,
//                                            raw+load-r]
//                                   [--json out.json] [--cpu] [--js-profile] [--timeline] [--arrival]
//                                   [--web-b <dir>] [--pin]
//
// --cpu adds the CPU time each browser spent during the transfer, by process type and thread name
// (from /proc/<pid>/task/*/stat), so the cost of each part of the app can be compared with raw;
// the --json lines also get each thread's minor page faults. --js-profile prints where the two
// pages' JavaScript spent its time during each app transfer. --timeline adds each run's received
// MB/s second by second (from the receiving page's transport stats), to see whether a transfer
// slows down at some point or runs slower throughout. --arrival adds, per run, when the receiving
// page's transport had taken in 1, 2, 4, 8 and 16 MiB (ms after the clock's start; from the
// transport stats' own timestamps, taken off the page's main thread, so a busy page does not
// shift them): where a short transfer loses its time, at the start or throughout.
//
// --web-b <dir>: a second server serves another build of the web app (e.g. `npx vite build
// --outDir /tmp/b` in another tree); a mode with the suffix `@b` (app@b) runs against it, so two
// builds are compared in the same run, alternating, on the same machine.
//
// --pin runs the sending browser on CPU 0 and the receiving one on CPU 1 (see browserOnCpu).
//
// Needs build/bin/tincan-server (or TINCAN_SERVER_BIN) and web/dist. Prints one JSON line per
// run and a Markdown table of medians at the end.
import { existsSync, openSync, rmSync, writeSync, closeSync, writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { ARGS, attachFile, CHROMIUM, CHROMIUM_ARGS, chromium, cpuMeter as cpuMeterOf, median, startServer, work } from './lib.mjs';

const SIZES = (ARGS.sizes ?? '20M,256M,1G').split(',').map(parseSize);
const RUNS = Number(ARGS.runs ?? 5);
const MODES = (ARGS.modes ?? 'raw,original,app').split(',');

function parseSize(s) {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()];
}
const label = (n) => (n >= 1024 ** 3 ? `${n / 1024 ** 3} GiB` : `${n / 1024 ** 2} MiB`);

function makeFile(size) {
  const path = join(work, `data-${size}.bin`);
  if (existsSync(path)) return path;
  const fd = openSync(path, 'w');
  const block = randomBytes(16 * 1024 * 1024);
  for (let off = 0; off < size; off += block.length) writeSync(fd, block, 0, Math.min(block.length, size - off));
  closeSync(fd);
  return path;
}

function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const CPU = 'cpu' in ARGS;
const cpuMeter = CPU ? cpuMeterOf : async () => async () => ({ cpu: {}, faults: {} });
/** UDP over IPv4 and IPv6 (the kernel's counters): datagrams received and receive-buffer drops. */
function udpCounters() {
  const v4 = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp: '));
  const [names, values] = v4.map((l) => l.trim().split(/\s+/).slice(1));
  const c4 = Object.fromEntries(names.map((n, i) => [n, Number(values[i])]));
  const c6 = Object.fromEntries(
    readFileSync('/proc/net/snmp6', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp6'))
      .map((l) => l.trim().split(/\s+/))
      .map(([k, v]) => [k, Number(v)]),
  );
  return { in: c4.InDatagrams + c6.Udp6InDatagrams, drops: c4.RcvbufErrors + c6.Udp6RcvbufErrors };
}

/** Starts counting; the returned function gives datagrams received and dropped since. */
function udpMeter() {
  const before = udpCounters();
  return () => {
    const after = udpCounters();
    return { udpIn: after.in - before.in, udpDrops: after.drops - before.drops };
  };
}

/** The selected candidate pairs of every connected RTCPeerConnection of a page. */
async function transportStats(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const pc of window.benchPcs ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      for (const s of stats.values()) {
        if (s.type !== 'transport' || !s.selectedCandidatePairId) continue;
        const pair = stats.get(s.selectedCandidatePairId);
        const l = stats.get(pair.localCandidateId);
        const r = stats.get(pair.remoteCandidateId);
        out.push({ local: `${l.protocol} ${l.candidateType} ${l.address}:${l.port}`, remote: `${r.protocol} ${r.candidateType} ${r.address}:${r.port}`, packetsSent: s.packetsSent, bytesSent: s.bytesSent, packetsReceived: s.packetsReceived, discardedOnSend: pair.packetsDiscardedOnSend });
      }
    }
    return out;
  });
}

const TIMELINE = 'timeline' in ARGS;

/**
 * --timeline: the receiving page's transport bytes (every connection's selected pair) once a
 * second, so a run's speed can be followed over time; the returned function gives MB/s per second.
 */
async function timelineSampler(page) {
  if (!TIMELINE) return async () => ({});
  const read = () =>
    page.evaluate(async () => {
      let bytes = 0;
      for (const pc of window.benchPcs ?? []) {
        for (const s of (await pc.getStats()).values())
          if (s.type === 'transport' && s.selectedCandidatePairId) bytes += s.bytesReceived ?? 0;
      }
      return bytes;
    });
  const samples = [await read()];
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, 1000)); // sampling period
      if (running) samples.push(await read());
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { timeline: samples.slice(1).map((b, i) => +((b - samples[i]) / 1e6).toFixed(1)) };
  };
}

/** How long memory is sampled after a transfer's end. */
const MEM_SETTLE_MS = 2000;

/** Samples the receiving browser's memory until stopped; returns peaks and the baseline. */
async function memorySampler(browser, page) {
  const bsession = await browser.newBrowserCDPSession();
  const psession = await page.context().newCDPSession(page);
  const procs = async () => (await bsession.send('SystemInfo.getProcessInfo')).processInfo;
  const sample = async () => {
    const list = await procs();
    const renderer = Math.max(0, ...list.filter((p) => p.type === 'renderer').map((p) => rssKiB(p.id)));
    const total = list.reduce((a, p) => a + rssKiB(p.id), 0);
    const heap = await psession.send('Runtime.getHeapUsage').catch(() => ({}));
    return { renderer, total, backing: heap.backingStorageSize ?? 0, js: heap.usedSize ?? 0 };
  };
  const base = await sample();
  const peak = { ...base };
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = await sample();
      for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], s[k]);
      await new Promise((r) => setTimeout(r, 250)); // sampling period
    }
  })();
  return async () => {
    // Sampled on for a while after the end: what a receiver does at completion (the original
    // builds its File from the chunks it keeps, and Chromium moves Blob data to the browser
    // process after that) counts too.
    await new Promise((r) => setTimeout(r, MEM_SETTLE_MS));
    running = false;
    await loop;
    return {
      rendererPeakMiB: peak.renderer / 1024,
      backingPeakMiB: peak.backing / 1024 ** 2,
      jsHeapPeakMiB: peak.js / 1024 ** 2,
      browserGrowthMiB: (peak.total - base.total) / 1024,
    };
  };
}

// --pin: the sending browser runs on CPU 0 and the receiving one on CPU 1 (every process and
// thread of each, through `taskset`, which its children inherit), as two peers on two machines
// have a CPU each; unpinned, either peer's work takes its turn on the core the other's transport
// was using.
const PIN = 'pin' in ARGS;
function browserOnCpu(cpu) {
  if (!PIN) return CHROMIUM;
  const path = join(work, `chromium-cpu${cpu}.sh`);
  writeFileSync(path, `#!/bin/sh\nexec taskset -c ${cpu} '${CHROMIUM}' "$@"\n`, { mode: 0o755 });
  return path;
}

async function launchPair(url) {
  const sender = await chromium.launch({ executablePath: browserOnCpu(0), args: CHROMIUM_ARGS, headless: true });
  // The receiver uses a real on-disk profile, as a user's browser does (OPFS lives on disk).
  const profile = mkdtempSync(join(work, 'profile-'));
  const receiverCtx = await chromium.launchPersistentContext(profile, { executablePath: browserOnCpu(1), args: CHROMIUM_ARGS, headless: true, acceptDownloads: true });
  const sPage = await sender.newPage();
  const rPage = receiverCtx.pages()[0] ?? (await receiverCtx.newPage());
  // Every RTCPeerConnection a page makes is kept, so the transport's figures can be read after a run.
  for (const page of [sPage, rPage])
    await page.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      window.benchPcs = [];
      window.RTCPeerConnection = class extends Native {
        constructor(...a) {
          super(...a);
          window.benchPcs.push(this);
        }
      };
    });
  await sPage.goto(url);
  await rPage.goto(url);
  return {
    sPage,
    rPage,
    senderBrowser: sender,
    receiverBrowser: receiverCtx.browser() ?? receiverCtx,
    receiverCtx,
    close: async () => {
      await sender.close();
      await receiverCtx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const ARRIVAL = 'arrival' in ARGS;

/**
 * --arrival: samples the receiving page's transport bytes (every connected connection's selected
 * pair) about every 8 ms; the returned function takes the clock's start (ms since the epoch, as
 * the stats' timestamps) and gives when 1, 2, 4, 8 and 16 MiB had come in.
 */
async function arrivalSampler(page) {
  if (!ARRIVAL) return async () => ({});
  await page.evaluate(() => {
    window.benchArrival = { samples: [], running: true };
    void (async () => {
      while (window.benchArrival.running) {
        for (const pc of window.benchPcs ?? []) {
          if (pc.connectionState !== 'connected') continue;
          for (const s of (await pc.getStats()).values())
            if (s.type === 'transport' && s.selectedCandidatePairId) window.benchArrival.samples.push([s.timestamp, s.bytesReceived ?? 0]);
        }
        await new Promise((r) => setTimeout(r, 8)); // sampling period
      }
    })();
  });
  return async (t0) => {
    const samples = await page.evaluate(() => {
      window.benchArrival.running = false;
      return window.benchArrival.samples;
    });
    const arrival = {};
    const base = samples[0]?.[1] ?? 0;
    for (let mib = 1; mib <= 16; mib *= 2) {
      const hit = samples.find(([, b]) => b - base >= mib * 1024 * 1024);
      if (hit) arrival[mib] = Math.round(hit[0] - t0);
    }
    return { arrival };
  };
}

// ---- raw and original: two pages, signalling through this script ---------------------------

const PAGE_SETUP = `
window.bench = {
  async offer(label, video) {
    const pc = new RTCPeerConnection();
    const dc = pc.createDataChannel(label);
    if (video) pc.addTransceiver('video', { direction: 'recvonly' });
    dc.binaryType = 'arraybuffer';
    window.bench.pc = pc; window.bench.dc = dc;
    await pc.setLocalDescription();
    await new Promise((r) => pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
    return pc.localDescription.toJSON();
  },
  async answer(offer) {
    const pc = new RTCPeerConnection();
    window.bench.pc = pc;
    window.bench.channel = new Promise((r) => pc.ondatachannel = (e) => {
      e.channel.binaryType = 'arraybuffer';
      // raw+perfile: every message on 'chat' (the announcement) gets an answer (its ACK).
      if (e.channel.label === 'chat') e.channel.onmessage = () => e.channel.send('ack');
      else r(e.channel);
    });
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription();
    await new Promise((r) => pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
    return pc.localDescription.toJSON();
  },
  async accept(answer) {
    await window.bench.pc.setRemoteDescription(answer);
    const dc = window.bench.dc;
    if (dc.readyState !== 'open') await new Promise((r) => dc.addEventListener('open', r, { once: true }));
  },
  // raw's sender: messages of chunkSize from one reused random buffer, paced by bufferedAmount
  // (8 MiB high, 2 MiB low, as the app; raw+video-w<KiB>: <KiB> high, a quarter low); resolves
  // when the receiver says it has every byte.
  // hash (raw+hash): each message also gets WebCrypto's SHA-256 once sent, as the app's digest.
  async sendRaw(dc, size, chunkSize, hash = false, high = 8 * 1024 * 1024) {
    const chunk = new Uint8Array(chunkSize);
    for (let i = 0; i < chunk.length; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536));
    dc.bufferedAmountLowThreshold = high / 4;
    const doneMsg = new Promise((r) => (dc.onmessage = r));
    for (let sent = 0; sent < size; ) {
      if (dc.bufferedAmount > high) await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
      const n = Math.min(chunk.length, size - sent);
      const piece = n === chunk.length ? chunk : chunk.subarray(0, n);
      dc.send(piece);
      if (hash) void crypto.subtle.digest('SHA-256', piece);
      sent += n;
    }
    await doneMsg;
  },
};`;

async function rawOrOriginal(mode, pair, size, filePath) {
  const { sPage, rPage } = pair;
  await sPage.evaluate(PAGE_SETUP);
  await rPage.evaluate(PAGE_SETUP);
  if (mode === 'original') await attachFile(sPage, 'bench-file', filePath);
  // raw+video: the same pair with a receive-only video m-line, as the app asks for between Tincan
  // apps (PeerSession.requestLargeSocketBuffers): larger UDP socket buffers, no media.
  const offer = await sPage.evaluate(
    ([l, v]) => window.bench.offer(l, v),
    [['raw+late', 'raw+perfile'].includes(mode) ? 'chat' : mode.startsWith('raw') ? 'raw' : 'file', mode.startsWith('raw+video')],
  );
  // raw+load: both pages also run a worker that keeps ~15 % of a core busy (3 ms in every 20 ms),
  // to see how other work in the browsers changes what the transport itself costs (raw+load-s,
  // raw+load-r: in the sender's or the receiver's page only).
  if (mode.startsWith('raw+load'))
    for (const page of mode.endsWith('-s') ? [sPage] : mode.endsWith('-r') ? [rPage] : [sPage, rPage])
      await page.evaluate((fine) => {
        const src = fine
          ? 'setInterval(() => { const t = performance.now(); while (performance.now() - t < 0.6); }, 4);'
          : 'setInterval(() => { const t = performance.now(); while (performance.now() - t < 3); }, 20);';
        window.bench.burner = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      }, mode === 'raw+load-fine');
  const answer = await rPage.evaluate((o) => window.bench.answer(o), offer);
  await sPage.evaluate((a) => window.bench.accept(a), answer);
  // raw+late: the connection opens with a `chat` channel only; the transfer's channel is made
  // 3 s later on the established association, as the app makes a file's channel.
  // raw+perfile: as raw+late, but the channel is made after the clock starts, with an
  // announcement on `chat` whose answer the sender waits for (with the channel's `open`) before
  // its first byte: the original protocol's per-file steps (PROTOCOL.md 4.7) without the app.
  if (mode === 'raw+perfile') await new Promise((r) => setTimeout(r, 3000));
  if (mode === 'raw+late') {
    await new Promise((r) => setTimeout(r, 3000));
    await sPage.evaluate(async () => {
      const dc = window.bench.pc.createDataChannel('raw');
      dc.binaryType = 'arraybuffer';
      window.bench.dc = dc;
      await new Promise((r) => dc.addEventListener('open', r, { once: true }));
    });
  }
  // Receiver side.
  await rPage.evaluate(
    ({ mode, size }) => {
      window.bench.done = window.bench.channel.then(
        (ch) =>
          new Promise((resolve) => {
            let bytes = 0;
            if (mode.startsWith('raw')) {
              const word = new ArrayBuffer(4);
              ch.onmessage = (e) => {
                bytes += e.data.byteLength;
                if (mode === 'raw+feedback') ch.send(word);
                if (mode === 'raw+hash') void crypto.subtle.digest('SHA-256', e.data);
                if (bytes >= size) {
                  ch.send('done');
                  resolve(Date.now());
                }
              };
              return;
            }
            // The original receiver (PROTOCOL.md 4.7, 10.3.5): initial 0-word, one word per chunk,
            // a copied chunk array per message, the whole File built at close.
            let state = { chunks: [], bytesReceived: 0 };
            const word = (n) => {
              const b = new ArrayBuffer(4);
              new DataView(b).setUint32(0, n);
              return b;
            };
            ch.send(word(0));
            ch.onmessage = (e) => {
              state = { ...state, chunks: [...state.chunks, e.data], bytesReceived: state.bytesReceived + e.data.byteLength };
              ch.send(word(e.data.byteLength));
            };
            ch.onclose = () => {
              window.bench.file = new File(state.chunks, 'x');
              resolve(Date.now());
            };
          }),
      );
    },
    { mode, size },
  );
  const stopMem = await memorySampler(pair.receiverCtx.browser() ?? pair.receiverCtx, rPage);
  const stopCpu = await cpuMeter(pair);
  const stopUdp = udpMeter();
  const stopTimeline = await timelineSampler(rPage);
  const stopArrival = await arrivalSampler(rPage);
  await sPage.evaluate(
    async ({ mode, size }) => {
      window.bench.t0 = Date.now(); // the clock starts in the page, as the app's at its file selection
      let dc = window.bench.dc;
      if (mode === 'raw+perfile') {
        const chat = dc;
        dc = window.bench.pc.createDataChannel('raw');
        dc.binaryType = 'arraybuffer';
        const acked = new Promise((r) => (chat.onmessage = r));
        const opened = new Promise((r) => dc.addEventListener('open', r, { once: true }));
        await new Promise((r) => setTimeout(r, 0)); // the stream id is assigned in a later task
        chat.send(JSON.stringify({ messageId: crypto.randomUUID(), file: { category: 'file', name: 'data.bin', size, type: 'application/octet-stream', dcId: String(dc.id) } }));
        await Promise.all([acked, opened]);
      }
      if (mode.startsWith('raw')) {
        // The app's chunk rule (min(256 KiB, the remote's max message size)): both contenders send
        // equally large messages (Chromium moves 256 KiB messages at least as fast as 128 KiB).
        await window.bench.sendRaw(dc, size, Math.min(256 * 1024, window.bench.pc.sctp?.maxMessageSize || 65536), mode === 'raw+hash', Number(/-w(\d+)$/.exec(mode)?.[1] ?? 8192) * 1024);
        return;
      }
      // The original sender: 128 KiB Blob slices, 4 MiB threshold, completion by feedback sum.
      const file = document.getElementById('bench-file').files[0];
      const threshold = 4 * 1024 * 1024;
      dc.bufferedAmountLowThreshold = threshold;
      let acked = 0;
      let carry = new Uint8Array(0);
      const complete = new Promise((resolve) => {
        dc.onmessage = (e) => {
          const b = new Uint8Array(carry.length + e.data.byteLength);
          b.set(carry);
          b.set(new Uint8Array(e.data), carry.length);
          let i = 0;
          for (; i + 4 <= b.length; i += 4) acked += new DataView(b.buffer).getUint32(i);
          carry = b.slice(i);
          if (acked >= file.size) {
            dc.close();
            resolve();
          }
        };
      });
      let offset = 0;
      while (offset < file.size) {
        if (threshold - dc.bufferedAmount < 0) await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
        const n = Math.min(128 * 1024, file.size - offset, threshold - dc.bufferedAmount + 1);
        dc.send(await file.slice(offset, offset + n).arrayBuffer());
        offset += n;
      }
      await complete;
    },
    { mode, size },
  );
  // The end is the receiver's own clock at completion (the same machine clock as the sender's).
  const t0 = await sPage.evaluate(() => window.bench.t0);
  const seconds = ((await rPage.evaluate(() => window.bench.done)) - t0) / 1000;
  const udp = stopUdp();
  const { cpu, faults } = await stopCpu();
  return { seconds, ...udp, ...(await stopArrival(t0)), ...(await stopTimeline()), transport: await transportStats(sPage), ...(await stopMem()), cpu, faults };
}

/**
 * raw+appconn: raw's sender and receiver on the app's own connection (both pages logged in and
 * connected through the UI; a channel of its own, which the app ignores), to tell the app's
 * transfer code from its connection.
 */
async function rawOnAppConnection(pair, size) {
  const { sPage, rPage } = pair;
  await connectApp(pair);
  await rPage.evaluate((size) => {
    const pc = window.benchPcs.find((p) => p.connectionState === 'connected');
    window.benchDone = new Promise((resolve) =>
      pc.addEventListener('datachannel', ({ channel: ch }) => {
        if (ch.label !== 'rawx') return;
        ch.binaryType = 'arraybuffer';
        let bytes = 0;
        ch.onmessage = (e) => {
          bytes += e.data.byteLength;
          if (bytes >= size) {
            ch.send('done');
            resolve(Date.now());
          }
        };
      }),
    );
  }, size);
  await sPage.evaluate(PAGE_SETUP);
  await sPage.evaluate(async () => {
    const pc = window.benchPcs.find((p) => p.connectionState === 'connected');
    const dc = pc.createDataChannel('rawx');
    dc.binaryType = 'arraybuffer';
    window.benchDc = dc;
    await new Promise((r) => dc.addEventListener('open', r, { once: true }));
  });
  const stopMem = await memorySampler(pair.receiverCtx.browser() ?? pair.receiverCtx, rPage);
  const stopCpu = await cpuMeter(pair);
  const stopUdp = udpMeter();
  const stopArrival = await arrivalSampler(rPage);
  const t0 = await sPage.evaluate(async (size) => {
    const t0 = Date.now();
    await window.bench.sendRaw(window.benchDc, size, 256 * 1024);
    return t0;
  }, size);
  const seconds = ((await rPage.evaluate(() => window.benchDone)) - t0) / 1000;
  const udp = stopUdp();
  const { cpu, faults } = await stopCpu();
  return { seconds, ...udp, ...(await stopArrival(t0)), transport: await transportStats(sPage), ...(await stopMem()), cpu, faults };
}

let userSeq = 0;
/** Both pages log in through the app's UI and open a conversation with each other. */
async function connectApp(pair) {
  const { sPage, rPage } = pair;
  const names = [`benchS${++userSeq}`, `benchR${userSeq}`];
  for (const [page, name] of [
    [sPage, names[0]],
    [rPage, names[1]],
  ]) {
    await page.getByLabel('Pick a username').fill(name);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByTestId('own-name').filter({ hasText: name }).waitFor();
  }
  await sPage.getByRole('list', { name: 'Peers' }).locator(`[data-peer-name="${names[1]}"]`).click();
  await sPage.getByLabel('Message', { exact: true }).and(sPage.locator(':enabled')).waitFor({ timeout: 30000 });
  await rPage.getByRole('list', { name: 'Peers' }).locator(`[data-peer-name="${names[0]}"]`).click();
}

/** --js-profile: the JavaScript self time of one page during an app transfer, top entries. */
function printJsProfile(who, profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  console.error(`JS profile, ${who} page (wall time sampled every 0.2 ms; not CPU time):`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.error(`  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${key}`);
}

// app-nodigest: both pages' WebCrypto SHA-256 of large inputs answers 32 zero bytes at once, so the
// run shows what the file digest costs the transfer (both ends then agree on a meaningless digest).
const NO_DIGEST = `{
  const digest = crypto.subtle.digest.bind(crypto.subtle);
  crypto.subtle.digest = (alg, data) =>
    data.byteLength >= 65536 ? Promise.resolve(new ArrayBuffer(32)) : digest(alg, data);
}`;

async function appRun(pair, size, filePath, mode) {
  const { sPage, rPage } = pair;
  // app-nodigest-s, app-nodigest-r: in the sender's or the receiver's page only.
  if (mode.startsWith('app-nodigest'))
    for (const page of mode.endsWith('-s') ? [sPage] : mode.endsWith('-r') ? [rPage] : [sPage, rPage]) {
      await page.addInitScript(NO_DIGEST);
      await page.reload();
    }
  // app-novideo: the app without its receive-only video m-line (PeerSession.requestLargeSocketBuffers
  // finds no addTransceiver), so the connection keeps Chromium's small socket buffers.
  if (mode === 'app-novideo')
    for (const page of [sPage, rPage]) {
      await page.addInitScript(() => {
        RTCPeerConnection.prototype.addTransceiver = undefined;
      });
      await page.reload();
    }
  // app-video: the sender gets large socket buffers for any file (localStorage tincan_large_file,
  // the size from which it asks for them; 64 MiB by default).
  if (mode === 'app-video') {
    await sPage.evaluate(() => localStorage.setItem('tincan_large_file', '0'));
    await sPage.reload();
  }
  // app-memory: the receiver keeps Blob parts instead of writing to the private file system.
  if (mode === 'app-memory') {
    await rPage.evaluate(() => localStorage.setItem('tincan_receive_to', 'memory'));
    await rPage.reload();
  }
  await connectApp(pair);
  // app-second: a 1 MiB file goes first and the measured one 3 s later, with everything a page
  // sets up for its first file (code, styles, the writer worker's script) already warm.
  if (mode === 'app-second') {
    await sPage.getByLabel('Choose files to send').setInputFiles(makeFile(1024 * 1024));
    await rPage.locator('[data-transfer-status="complete"]').waitFor();
    await sPage.locator('[data-transfer-status="complete"]').waitFor();
    // Then idle a while, as between a user's files: the association's congestion window shrinks
    // back (RFC 9260 7.2.1), so what the run keeps of the first file is the pages' warm state.
    await new Promise((r) => setTimeout(r, 3000));
  }
  // The end is taken in the receiving page the moment the file shows complete, as for raw and
  // original (a Playwright locator wait would poll up to every 500 ms and add that to the time).
  await rPage.evaluate(() => {
    window.benchDone = new Promise((resolve) => {
      const before = document.querySelectorAll('[data-transfer-status="complete"]').length;
      const done = () => document.querySelectorAll('[data-transfer-status="complete"]').length > before;
      const mo = new MutationObserver(() => {
        if (!done()) return;
        mo.disconnect();
        resolve(Date.now());
      });
      mo.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-transfer-status'] });
    });
  });
  const stopMem = await memorySampler(pair.receiverCtx.browser() ?? pair.receiverCtx, rPage);
  const stopCpu = await cpuMeter(pair);
  const stopUdp = udpMeter();
  const stopTimeline = await timelineSampler(rPage);
  const stopArrival = await arrivalSampler(rPage);
  const profilers = [];
  if ('js-profile' in ARGS)
    for (const page of [sPage, rPage]) {
      const session = await page.context().newCDPSession(page);
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 200 });
      await session.send('Profiler.start');
      profilers.push(session);
    }
  // The clock starts at the file selection: the picker's `change` event in the page (Playwright's
  // own round trips to set the file, 15-25 ms here, are not the app's).
  await sPage.evaluate(() =>
    document.addEventListener('change', () => (window.benchT0 = Date.now()), { capture: true, once: true }),
  );
  // app-memfile: the picked file is held in memory (a Blob the page made), not read from disk.
  await sPage
    .getByLabel('Choose files to send')
    .setInputFiles(mode === 'app-memfile' ? { name: 'data.bin', mimeType: 'application/octet-stream', buffer: readFileSync(filePath) } : filePath);
  const end = await rPage.evaluate(() => window.benchDone);
  const t0 = await sPage.evaluate(() => window.benchT0);
  const seconds = (end - t0) / 1000;
  for (const [i, session] of profilers.entries())
    printJsProfile(i ? 'receiving' : 'sending', (await session.send('Profiler.stop')).profile);
  const udp = stopUdp();
  const { cpu, faults } = await stopCpu();
  // Without one side's digest (app-nodigest-s, -r) the receiver rightly finds a mismatch.
  const verified = await rPage.getByText('SHA-256 verified').count();
  if (verified < (mode === 'app-second' ? 2 : 1) && !/^app-nodigest-/.test(mode))
    throw new Error('app run: digest not verified');
  return { seconds, ...udp, ...(await stopArrival(t0)), ...(await stopTimeline()), transport: await transportStats(sPage), ...(await stopMem()), cpu, faults };
}

const results = [];
const server = await startServer();
const WEB_B = MODES.some((m) => m.endsWith('@b')) ? resolve(ARGS['web-b'] ?? '') : null;
if (WEB_B && !existsSync(join(WEB_B, 'index.html'))) throw new Error(`--web-b: no index.html in ${WEB_B}`);
const serverB = WEB_B ? await startServer(WEB_B, 'b') : null;
try {
  for (const size of SIZES) {
    const filePath = makeFile(size);
    for (let run = 0; run < RUNS; run++) {
      for (const modeB of MODES) {
        // app@b: the mode `app` against the second server's build (--web-b).
        const mode = modeB.replace(/@b$/, '');
        const pair = await launchPair(modeB === mode ? server.url : serverB.url);
        try {
          // raw+app: the app's pages are connected to each other (idle) while raw runs beside them.
          if (mode === 'raw+app') await connectApp(pair);
          const r =
            mode === 'raw+appconn'
              ? await rawOnAppConnection(pair, size)
              : mode.startsWith('app')
                ? await appRun(pair, size, filePath, mode)
                : await rawOrOriginal(mode, pair, size, filePath);
          const row = { mode: modeB, size, run, mbps: size / 1e6 / r.seconds, load: loadavg()[0], ...r };
          results.push(row);
          const { cpu, faults, ...shown } = row;
          console.log(JSON.stringify(shown));
        } finally {
          await pair.close();
        }
      }
    }
  }
} finally {
  server.proc.kill('SIGTERM');
  serverB?.proc.kill('SIGTERM');
  // The test files (up to 1 GiB each) and receiving profiles go, also after a failed run.
  rmSync(work, { recursive: true, force: true });
}

if (ARGS.json) writeFileSync(ARGS.json, JSON.stringify(results, null, 1));
const f = (x, d = 0) => x.toFixed(d);
const loads = results.map((r) => r.load);
console.log(`\nload average (1 min) during the runs: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}, median ${median(loads).toFixed(1)}`);
console.log(`\n| size | mode | goodput MB/s (median of ${RUNS}) | vs raw | renderer peak MiB | ArrayBuffer peak MiB | browser RSS growth MiB |`);
console.log('|---|---|---|---|---|---|---|');
for (const size of SIZES) {
  const rawMed = median(results.filter((r) => r.size === size && r.mode === 'raw').map((r) => r.mbps));
  for (const mode of MODES) {
    const rows = results.filter((r) => r.size === size && r.mode === mode);
    if (!rows.length) continue;
    const m = median(rows.map((r) => r.mbps));
    console.log(
      `| ${label(size)} | ${mode} | ${f(m, 1)} (${f(Math.min(...rows.map((r) => r.mbps)), 1)}–${f(Math.max(...rows.map((r) => r.mbps)), 1)}) | ${rawMed ? f((100 * m) / rawMed) + ' %' : '—'} | ${f(median(rows.map((r) => r.rendererPeakMiB)))} | ${f(median(rows.map((r) => r.backingPeakMiB)))} | ${f(median(rows.map((r) => r.browserGrowthMiB)))} |`,
    );
  }
}
if (ARRIVAL) {
  console.log(`\nms after the start at which the receiving transport had taken in N MiB (median of ${RUNS}):`);
  console.log('\n| size | mode | 1 MiB | 2 MiB | 4 MiB | 8 MiB | 16 MiB |\n|---|---|---|---|---|---|---|');
  for (const size of SIZES)
    for (const mode of MODES) {
      const rows = results.filter((r) => r.size === size && r.mode === mode && r.arrival);
      if (!rows.length) continue;
      const cell = (mib) => {
        const xs = rows.map((r) => r.arrival[mib]).filter((x) => x !== undefined);
        return xs.length ? f(median(xs)) : '—';
      };
      console.log(`| ${label(size)} | ${mode} | ${[1, 2, 4, 8, 16].map(cell).join(' | ')} |`);
    }
}
if (CPU) {
  // CPU seconds per MiB moved would hide fixed costs; the table gives seconds per transfer.
  console.log(`\nCPU seconds during the transfer (median of ${RUNS}), by browser, process type and thread:`);
  for (const size of SIZES) {
    const keys = [...new Set(results.filter((r) => r.size === size).flatMap((r) => Object.keys(r.cpu)))].sort();
    const med = (mode, k) => median(results.filter((r) => r.size === size && r.mode === mode).map((r) => r.cpu[k] ?? 0));
    const rows = keys.map((k) => [k, ...MODES.map((m) => med(m, k))]).filter((r) => r.slice(1).some((x) => x >= 0.1));
    console.log(`\n| ${label(size)} | ${MODES.join(' | ')} |\n|---|${MODES.map(() => '---').join('|')}|`);
    for (const r of rows) console.log(`| ${r[0]} | ${r.slice(1).map((x) => f(x, 2)).join(' | ')} |`);
    const total = (m) => median(results.filter((r) => r.size === size && r.mode === m).map((r) => Object.entries(r.cpu).filter(([k]) => !k.startsWith('machine:')).map(([, v]) => v).reduce((a, b) => a + b, 0)));
    console.log(`| total | ${MODES.map((m) => f(total(m), 2)).join(' | ')} |`);
  }
}
