#!/usr/bin/env node
// What the file transfer's required work costs by itself: a minimal page pair doing exactly what
// issue 3 asks of a transfer, without the app around it, against the raw baseline in the same run.
//
//   node bench/web/file-core.mjs [--size 1024] [--runs 5] [--modes raw,core,raw2,core2] [--cpu]
//
// raw:  bytes from a reused 256 KiB buffer, the receiver only counts them (file-goodput.mjs's raw).
// core: the file read from disk as a byte stream into two reused 4 MiB buffers, 256 KiB messages
//       paced by bufferedAmount (8/2 MiB), SHA-256 of every message by WebCrypto on both sides,
//       one 4-byte feedback word per message, the receiver copying into 1 MiB buffers written to
//       the origin private file system by a worker through a synchronous access handle.
// raw2, core2 (any digit): the same striped over that many RTCPeerConnections (equal parts).
// Variants of core, to see what each part costs: core-nodigest (no SHA-256), core-nowrite (the
// worker gets the buffers but writes nothing), core-noread (bytes from a reused buffer instead of
// the file), core-slice64 (the worker writes 64 KiB per call instead of 1 MiB); variants combine
// (core-nodigest-nowrite-noread); -nofeedback (no feedback words), -nostage (the receiver neither
// copies nor writes: the clock stops at the last byte received); -cN sends N KiB messages instead of 256 (core-c128, raw-c128).
// The clock runs from the first send to the last byte counted (raw) or written (core).
// --size is in MiB. Prints one JSON line per run and a Markdown table of medians.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ARGS, attachFile, CHROMIUM, CHROMIUM_ARGS, chromium, cpuMeter, median, startServer, work } from './lib.mjs';

const SIZE = Number(ARGS.size ?? 1024) * 1024 * 1024;
const RUNS = Number(ARGS.runs ?? 5);
const MODES = (ARGS.modes ?? 'raw,core,raw2,core2').split(',');
const CPU = 'cpu' in ARGS;

const WRITER = `
let access = null;
onmessage = async (e) => {
  const m = e.data;
  if (m.kind === 'open') {
    const root = await navigator.storage.getDirectory();
    const file = await root.getFileHandle('core-' + Date.now(), { create: true });
    access = await file.createSyncAccessHandle();
    postMessage({ kind: 'ready' });
    return;
  }
  const bytes = new Uint8Array(m.bytes, 0, m.length);
  let at = m.write ? 0 : bytes.length;
  while (at < bytes.length) at += access.write(bytes.subarray(at, at + m.slice), { at: m.at + at });
  postMessage({ kind: 'buffer', bytes: m.bytes, written: m.length }, [m.bytes]);
};`;

// Both pages: signalling by this script (non-trickle), one channel per connection.
const PAGE = `
const gathered = (pc) => new Promise((r) => pc.iceGatheringState === 'complete' ? r() :
  pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
window.core = {
  pcs: [], channels: [],
  async offer(n) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const pc = new RTCPeerConnection();
      const ch = pc.createDataChannel('core' + i);
      ch.binaryType = 'arraybuffer';
      this.pcs.push(pc);
      this.channels.push(ch);
      await pc.setLocalDescription();
      await gathered(pc);
      out.push(pc.localDescription.toJSON());
    }
    return out;
  },
  async answer(offers, size, work, writerSrc, opts) {
    let counted = 0;
    let written = 0;
    this.done = new Promise((resolve) => (this.resolve = resolve));
    const pool = [];
    let writer = null;
    if (work) {
      writer = new Worker(URL.createObjectURL(new Blob([writerSrc], { type: 'text/javascript' })));
      await new Promise((r) => {
        writer.onmessage = () => r();
        writer.postMessage({ kind: 'open' });
      });
      writer.onmessage = (e) => {
        pool.push(e.data.bytes);
        written += e.data.written;
        if (written >= size) this.resolve(Date.now());
      };
    }
    const part = size / offers.length;
    const out = [];
    for (const [lane, offer] of offers.entries()) {
      const pc = new RTCPeerConnection();
      pc.ondatachannel = ({ channel: ch }) => {
        ch.binaryType = 'arraybuffer';
        const end = part * (lane + 1);
        let at = part * lane;
        let stage = null;
        let staged = 0;
        let stageAt = at;
        const word = new ArrayBuffer(4);
        ch.onmessage = ({ data }) => {
          counted += data.byteLength;
          if (!work) {
            if (counted >= size) this.resolve(Date.now());
            return;
          }
          if (opts.feedback) {
            new DataView(word).setUint32(0, data.byteLength);
            ch.send(word);
          }
          let src = new Uint8Array(data);
          if (opts.digest) crypto.subtle.digest('SHA-256', src);
          if (!opts.stage && counted >= size) this.resolve(Date.now());
          while (opts.stage && src.length) {
            if (!stage) {
              stage = new Uint8Array(pool.pop() ?? new ArrayBuffer(1 << 20));
              staged = 0;
              stageAt = at;
            }
            const n = Math.min(src.length, stage.length - staged);
            stage.set(src.subarray(0, n), staged);
            staged += n;
            at += n;
            src = src.subarray(n);
            if (staged === stage.length || at === end) {
              writer.postMessage({ bytes: stage.buffer, length: staged, at: stageAt, write: opts.write, slice: opts.slice }, [stage.buffer]);
              stage = null;
            }
          }
        };
      };
      this.pcs.push(pc);
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription();
      await gathered(pc);
      out.push(pc.localDescription.toJSON());
    }
    return out;
  },
  async accept(answers) {
    for (const [i, a] of answers.entries()) await this.pcs[i].setRemoteDescription(a);
    for (const ch of this.channels)
      if (ch.readyState !== 'open') await new Promise((r) => ch.addEventListener('open', r, { once: true }));
  },
  async send(size, work, opts) {
    const CHUNK = opts.chunk;
    const BLOCK = 4 * 1024 * 1024;
    const file = document.getElementById('core-file').files[0];
    const part = size / this.channels.length;
    await Promise.all(this.channels.map(async (ch, lane) => {
      ch.bufferedAmountLowThreshold = 2 * 1024 * 1024;
      const paced = async () => {
        if (ch.bufferedAmount > 8 * 1024 * 1024)
          await new Promise((r) => ch.addEventListener('bufferedamountlow', r, { once: true }));
      };
      if (!work) {
        const chunk = new Uint8Array(CHUNK);
        crypto.getRandomValues(chunk.subarray(0, 65536));
        for (let sent = 0; sent < part; sent += CHUNK) {
          await paced();
          ch.send(chunk);
        }
        return;
      }
      ch.onmessage = () => {}; // feedback words: progress only
      const reader = file.slice(part * lane, part * (lane + 1)).stream().getReader({ mode: 'byob' });
      const read = async (buf) => {
        let filled = 0;
        while (filled < buf.byteLength) {
          const { value, done } = await reader.read(new Uint8Array(buf, filled));
          if (value) {
            buf = value.buffer;
            filled += value.byteLength;
          }
          if (done) break;
        }
        return new Uint8Array(buf, 0, filled);
      };
      let spare = null;
      const fixed = new Uint8Array(BLOCK);
      let left = part;
      let ahead = opts.read ? read(new ArrayBuffer(BLOCK)) : null;
      for (;;) {
        let block;
        if (opts.read) {
          block = await ahead;
          const into = spare ?? new ArrayBuffer(BLOCK);
          spare = block.buffer;
          ahead = read(into);
        } else {
          block = fixed.subarray(0, Math.min(BLOCK, left));
          left -= block.length;
        }
        if (!block.length) break;
        for (let i = 0; i < block.length; i += CHUNK) {
          await paced();
          const piece = block.subarray(i, i + CHUNK);
          ch.send(piece);
          if (opts.digest) crypto.subtle.digest('SHA-256', piece);
        }
      }
    }));
  },
};`;

function makeFile() {
  const path = join(work, 'core.bin');
  const fd = openSync(path, 'w');
  const block = randomBytes(16 * 1024 * 1024);
  for (let off = 0; off < SIZE; off += block.length) writeSync(fd, block, 0, Math.min(block.length, SIZE - off));
  closeSync(fd);
  return path;
}

async function run(mode, url, filePath) {
  // raw, core2, core-nodigest, core2-slice64: kind, connections, variants.
  const [, kind, count] = /^(raw|core)(\d*)/.exec(mode) ?? [];
  if (!kind) throw new Error(`unknown mode ${mode}`);
  const connections = Number(count || 1);
  const withWork = kind === 'core';
  const opts = {
    digest: !mode.includes('-nodigest'),
    write: !mode.includes('-nowrite'),
    read: !mode.includes('-noread'),
    slice: mode.includes('-slice64') ? 64 * 1024 : 1 << 20,
    feedback: !mode.includes('-nofeedback'),
    stage: !mode.includes('-nostage'),
    chunk: Number(/-c(\d+)/.exec(mode)?.[1] ?? 256) * 1024,
  };
  const senderBrowser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  // The receiver uses a real on-disk profile, as a user's browser does (OPFS lives on disk).
  const profile = mkdtempSync(join(work, 'profile-'));
  const receiverCtx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const s = await senderBrowser.newPage();
    const r = receiverCtx.pages()[0] ?? (await receiverCtx.newPage());
    await s.goto(url);
    await r.goto(url);
    await s.evaluate(PAGE);
    await r.evaluate(PAGE);
    await attachFile(s, 'core-file', filePath);
    const offers = await s.evaluate((n) => window.core.offer(n), connections);
    const answers = await r.evaluate(([o, size, w, src, opt]) => window.core.answer(o, size, w, src, opt), [offers, SIZE, withWork, WRITER, opts]);
    await s.evaluate((a) => window.core.accept(a), answers);
    const stopCpu = CPU ? await cpuMeter({ senderBrowser, receiverCtx }) : null;
    const t0 = Date.now();
    await s.evaluate(([size, w, opt]) => window.core.send(size, w, opt), [SIZE, withWork, opts]);
    const seconds = ((await r.evaluate(() => window.core.done)) - t0) / 1000;
    return { seconds, ...(stopCpu ? { cpu: (await stopCpu()).cpu } : {}) };
  } finally {
    await senderBrowser.close();
    await receiverCtx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const server = await startServer();
const results = [];
try {
  const filePath = makeFile();
  for (let i = 0; i < RUNS; i++)
    for (const mode of MODES) {
      const r = await run(mode, server.url, filePath);
      const row = { mode, run: i, mbps: SIZE / 1e6 / r.seconds, seconds: r.seconds, cpu: r.cpu };
      results.push(row);
      console.log(JSON.stringify({ mode, run: i, mbps: +row.mbps.toFixed(2), seconds: r.seconds }));
    }
} finally {
  server.proc.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

const of = (mode) => results.filter((r) => r.mode === mode);
const raw = median(of('raw').map((r) => r.mbps));
console.log(`\n| ${SIZE / 1024 ** 2} MiB | runs | goodput MB/s median (min–max) | vs raw median | within each run's pair with raw |`);
console.log('|---|---|---|---|---|');
for (const mode of MODES) {
  const rows = of(mode);
  const mbps = rows.map((r) => r.mbps);
  const pairs = rows.map((r) => r.mbps / (of('raw').find((x) => x.run === r.run)?.mbps ?? NaN));
  console.log(`| ${mode} | ${rows.length} | ${median(mbps).toFixed(1)} (${Math.min(...mbps).toFixed(1)}–${Math.max(...mbps).toFixed(1)}) | ${raw ? ((100 * median(mbps)) / raw).toFixed(0) + ' %' : '—'} | ${mode === 'raw' ? '' : pairs.map((p) => (100 * p).toFixed(0)).join(', ') + ' %'} |`);
}
if (CPU) {
  console.log(`\nCPU seconds during the transfer (median of ${RUNS}), threads of 0.3 s or more:`);
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.cpu ?? {})))].sort();
  console.log(`\n| thread | ${MODES.join(' | ')} |\n|---|${MODES.map(() => '---').join('|')}|`);
  for (const k of keys) {
    const v = MODES.map((m) => median(of(m).map((r) => r.cpu?.[k] ?? 0)));
    if (v.some((x) => x >= 0.3)) console.log(`| ${k} | ${v.map((x) => x.toFixed(2)).join(' | ')} |`);
  }
}
