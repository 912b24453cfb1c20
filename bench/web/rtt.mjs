#!/usr/bin/env node
// Round-trip time over the app's `ping` data channel: browser<->EchoBot (C++ webrtcbin peer in
// tincan-agents) vs browser<->browser, in the same run on the same machine. One page (A) talks to
// both through the real app; the benchmark sends its own pings on the app's `ping` channels
// (PROTOCOL.md 4.8) and times the pongs, alternating between the two peers so both see the same
// machine load.
//
//   node bench/web/rtt.mjs [--rounds 300] [--runs 3] [--json out.json]
//
// Needs build/bin/tincan-server, build/bin/tincan-agents and web/dist. Prints one JSON line per
// run and a Markdown table at the end.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { ARGS, CHROMIUM, CHROMIUM_ARGS, chromium, joinApp, median, openChat, percentile, removeWork, startAgents, startServer } from './lib.mjs';

const ROUNDS = Number(ARGS.rounds ?? 300);
const RUNS = Number(ARGS.runs ?? 3);

/** Init script: keeps every `ping` data channel the app opens or accepts, in creation order. */
function recordPingChannels() {
  const channels = [];
  window.__pingChannels = channels;
  const keep = (dc) => dc.label === 'ping' && channels.push(dc);
  const create = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (...args) {
    const dc = create.apply(this, args);
    keep(dc);
    return dc;
  };
  const Native = RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config) {
      super(config);
      this.addEventListener('datachannel', (e) => keep(e.channel));
    }
  };
}

/** In page A: `rounds` ping/pong round trips alternating over ping channels `a` and `b` (ms). */
function pingPong({ a, b, rounds }) {
  const one = (dc, seq) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const timer = setTimeout(() => reject(new Error(`no pong for ${seq} on channel ${dc.id}`)), 5000);
      const onMessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.ping?.direction !== 'pong' || m.ping.seq !== seq) return;
        clearTimeout(timer);
        dc.removeEventListener('message', onMessage);
        resolve(performance.now() - t0);
      };
      dc.addEventListener('message', onMessage);
      dc.send(JSON.stringify({ messageId: crypto.randomUUID(), timestamp: Date.now(), fromNodeId: 'bench', toNodeId: 'bench', ping: { direction: 'ping', seq } }));
    });
  return (async () => {
    const [dcA, dcB] = [window.__pingChannels[a], window.__pingChannels[b]];
    const out = { a: [], b: [] };
    // Seqs far above the app's own 1 Hz pings, whose pongs this loop ignores.
    for (let i = 0; i < rounds; i++) {
      out.a.push(await one(dcA, 1e6 + 2 * i));
      out.b.push(await one(dcB, 1e6 + 2 * i + 1));
    }
    return out;
  })();
}

async function oneRun(server, run) {
  const browsers = await Promise.all([0, 1].map(() => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })));
  try {
    const [a, b] = await Promise.all(browsers.map((br) => br.newPage()));
    await a.addInitScript(recordPingChannels);
    const names = [`rttA${run}`, `rttB${run}`];
    await Promise.all([a.goto(server.url), b.goto(server.url)]);
    await joinApp(a, names[0]);
    await joinApp(b, names[1]);
    // A initiates both links, so ping channel 0 goes to the browser, channel 1 to EchoBot.
    await openChat(a, names[1]);
    await a.waitForFunction(() => window.__pingChannels[0]?.readyState === 'open');
    await openChat(a, 'EchoBot');
    await a.waitForFunction(() => window.__pingChannels[1]?.readyState === 'open');
    await a.evaluate(pingPong, { a: 0, b: 1, rounds: 20 }); // warm-up
    const { a: browser, b: bot } = await a.evaluate(pingPong, { a: 0, b: 1, rounds: ROUNDS });
    return { browser, bot };
  } finally {
    await Promise.all(browsers.map((br) => br.close()));
  }
}

const stats = (xs) => ({ median: median(xs), p95: percentile(xs, 95), mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs) });
const server = await startServer();
const agents = startAgents(server, ['echo']);
const rows = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const { browser, bot } = await oneRun(server, run);
    const row = { run, rounds: ROUNDS, load: loadavg()[0], browser: stats(browser), bot: stats(bot) };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  agents.proc.kill('SIGINT');
  server.proc.kill('SIGTERM');
  removeWork();
}

if (ARGS.json) writeFileSync(ARGS.json, JSON.stringify(rows, null, 1));
const f = (x) => (Math.abs(x) < 5e-4 ? 0 : x).toFixed(2);
// performance.now() has 0.1 ms resolution in these pages: means show what medians round away.
console.log(`\n| run | load avg (1 min) | browser<->browser median / p95 / mean ms | browser<->EchoBot median / p95 / mean ms | extra: median / mean ms |`);
console.log('|---|---|---|---|---|');
const cells = (s) => `${f(s.median)} / ${f(s.p95)} / ${f(s.mean)}`;
const line = (name, load, b, e) => console.log(`| ${name} | ${load} | ${cells(b)} | ${cells(e)} | ${f(e.median - b.median)} / ${f(e.mean - b.mean)} |`);
for (const r of rows) line(r.run + 1, r.load.toFixed(2), r.browser, r.bot);
const med = (k) => Object.fromEntries(['median', 'p95', 'mean'].map((s) => [s, median(rows.map((r) => r[k][s]))]));
line(`median of ${RUNS}`, '', med('browser'), med('bot'));
