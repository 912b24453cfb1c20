import type { Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Init script (a test hook, no production change): records every RTCPeerConnection the app
 * creates in `window.__tincanPcs`, so the test can read getStats() and the received tracks.
 */
export function recordPeerConnections() {
  const Native = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  (window as unknown as { __tincanPcs: RTCPeerConnection[] }).__tincanPcs = all;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      all.push(this);
    }
  };
}

export interface Spectrum {
  /** Frequency of the strongest bin above 50 Hz, refined between bins (Hz). */
  hz: number;
  /** Its level (dBFS); about -100 or less for silence. */
  db: number;
}

/**
 * Analyses the live received audio track in the page with a WebAudio AnalyserNode (created on
 * the first call and kept): the dominant frequency of the last ~0.7 s.
 */
export async function spectrum(page: Page): Promise<Spectrum | null> {
  return page.evaluate(() => {
    const w = window as unknown as {
      __tincanPcs: RTCPeerConnection[];
      __tincanAnalyser?: { node: AnalyserNode; track: MediaStreamTrack };
    };
    // The newest track that carries sound: a replaced one is muted (its m-line went inactive).
    const track = w.__tincanPcs
      .flatMap((pc) => pc.getReceivers().map((r) => r.track))
      .filter((t) => t.kind === 'audio' && t.readyState === 'live' && !t.muted)
      .at(-1);
    if (!track) return null;
    if (w.__tincanAnalyser?.track !== track) {
      const ctx = new AudioContext();
      const node = ctx.createAnalyser();
      node.fftSize = 32768; // 1.5 Hz bins at 48 kHz
      node.smoothingTimeConstant = 0;
      ctx.createMediaStreamSource(new MediaStream([track])).connect(node);
      w.__tincanAnalyser = { node, track };
    }
    const { node } = w.__tincanAnalyser;
    const bins = new Float32Array(node.frequencyBinCount);
    node.getFloatFrequencyData(bins);
    const binHz = node.context.sampleRate / node.fftSize;
    let best = Math.ceil(50 / binHz);
    for (let i = best; i < bins.length - 1; i++) if (bins[i]! > bins[best]!) best = i;
    // Parabolic interpolation over the peak and its neighbours (dB).
    const [a, b, c] = [bins[best - 1]!, bins[best]!, bins[best + 1]!];
    const denom = a - 2 * b + c;
    const shift = denom === 0 || !Number.isFinite(denom) ? 0 : (0.5 * (a - c)) / denom;
    return { hz: (best + shift) * binHz, db: b };
  });
}

export interface InboundAudio {
  packetsReceived: number;
  packetsLost: number;
}

/** The page's inbound-rtp audio statistics (summed over its connections), or null. */
export async function inboundAudio(page: Page): Promise<InboundAudio | null> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __tincanPcs: RTCPeerConnection[] }).__tincanPcs;
    let found: InboundAudio | null = null;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: string } & InboundAudio) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        found ??= { packetsReceived: 0, packetsLost: 0 };
        found.packetsReceived += s.packetsReceived;
        found.packetsLost += s.packetsLost;
      });
    }
    return found;
  });
}

/** Encodes `seconds` of a `hz` sine as Ogg Opus 48 kHz stereo (MusicBot's format) at `dir/name.ogg`. */
export function makeSineOgg(dir: string, name: string, hz: number, seconds = 2): string {
  const path = join(dir, `${name}.ogg`);
  const r = spawnSync(
    'gst-launch-1.0',
    [
      '-q',
      'audiotestsrc',
      'wave=sine',
      `freq=${hz}`,
      `num-buffers=${seconds * 50}`,
      'samplesperbuffer=960',
      '!',
      'audio/x-raw,rate=48000,channels=2',
      '!',
      'opusenc',
      '!',
      'oggmux',
      '!',
      'filesink',
      `location=${path}`,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`gst-launch-1.0 failed: ${r.error ?? r.stderr}`);
  return path;
}
