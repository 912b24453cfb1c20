import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeCandidate,
  decodeSessionDescription,
  decodeSignal,
  encodeSignal,
} from './signal-codec';

const root = join(__dirname, '../../../tests/fixtures/protocol');
interface Entry {
  file: string;
  kind: string;
  error?: string;
}
const index = (dir: string): Entry[] =>
  JSON.parse(readFileSync(join(root, dir, 'index.json'), 'utf8')) as Entry[];

describe('shared fixtures', () => {
  it('lists fixtures in both directories', () => {
    expect(index('valid').length).toBeGreaterThan(5);
    expect(index('invalid').length).toBeGreaterThan(5);
  });

  for (const e of index('valid')) {
    it(`accepts valid/${e.file}`, () => {
      const bytes = readFileSync(join(root, 'valid', e.file));
      const r = decodeSignal(new Uint8Array(bytes));
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) {
        // Round trip: what we encode decodes to the same envelope.
        const again = decodeSignal(encodeSignal(r.value));
        expect(again).toEqual(r);
      }
    });
  }

  for (const e of index('invalid')) {
    it(`refuses invalid/${e.file} with ${e.error}`, () => {
      const bytes = readFileSync(join(root, 'invalid', e.file));
      const r = decodeSignal(new Uint8Array(bytes));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(e.error);
    });
  }
});

describe('decodeSignal', () => {
  it('reads the register reply and keeps the node id', () => {
    const r = decodeSignal('{"node_id":"A","register":{"node_name":"user0003"}}\n');
    expect(r).toEqual({ ok: true, value: { node_id: 'A', register: { node_name: 'user0003' } } });
  });

  it('reads the offline extension and error replies', () => {
    expect(decodeSignal('{"offline":{"node_id":"B"}}')).toEqual({
      ok: true,
      value: { offline: { node_id: 'B' } },
    });
    const r = decodeSignal('{"error":{"code":"rate_limited","message":"slow down"}}');
    expect(r.ok && r.value.error?.code).toBe('rate_limited');
  });

  it('refuses an sdp_offer whose type is neither offer nor answer', () => {
    const r = decodeSignal('{"sdp_offer":{"type":"pranswer","offer_json":"{}"}}');
    expect(r.ok).toBe(false);
  });
});

describe('offer_json payloads', () => {
  it('decodes a session description and refuses junk', () => {
    expect(decodeSessionDescription('{"type":"offer","sdp":"v=0"}')).toEqual({
      ok: true,
      value: { type: 'offer', sdp: 'v=0' },
    });
    expect(decodeSessionDescription('{"type":"rollback","sdp":""}').ok).toBe(false);
    expect(decodeSessionDescription('[1]').ok).toBe(false);
    expect(decodeSessionDescription('{"type":"offer"}').ok).toBe(false);
  });

  it('decodes a candidate', () => {
    const r = decodeCandidate(
      '{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0}',
    );
    expect(r.ok && r.value.sdpMid).toBe('0');
    expect(decodeCandidate('{"candidate":5}').ok).toBe(false);
  });
});
