import { describe, expect, it } from 'vitest';
import { RateLimit } from './chat-link';

describe('RateLimit', () => {
  it('admits a burst, then the average rate, and counts what it drops', () => {
    let now = 0;
    const r = new RateLimit(100, 1000, () => now);
    let taken = 0;
    for (let i = 0; i < 5000; i++) if (r.take()) taken++;
    expect(taken).toBe(1000);
    expect(r.dropped).toBe(4000);
    now += 1000; // a second later: 100 more
    taken = 0;
    for (let i = 0; i < 5000; i++) if (r.take()) taken++;
    expect(taken).toBe(100);
    now += 3_600_000; // refills to the burst, never beyond
    taken = 0;
    for (let i = 0; i < 5000; i++) if (r.take()) taken++;
    expect(taken).toBe(1000);
  });
});
