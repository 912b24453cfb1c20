import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressBoard } from './progress-board';
import { Pulse } from './pulse';

describe('pulse', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs what was deferred at the next beat of a shared grid, the latest per key', () => {
    let now = 250;
    const pulse = new Pulse(1000, () => now);
    const ran: string[] = [];
    pulse.defer('a', () => ran.push('a1'));
    pulse.defer('b', () => ran.push('b'));
    pulse.defer('a', () => ran.push('a2'));
    now = 999;
    vi.advanceTimersByTime(749);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['a2', 'b']);
    vi.advanceTimersByTime(5000);
    expect(ran).toEqual(['a2', 'b']);
  });

  it('keeps going when a task throws, and forgets everything on stop', () => {
    const pulse = new Pulse(1000, () => 0);
    const ran: string[] = [];
    vi.spyOn(console, 'error').mockImplementation(() => {});
    pulse.defer('bad', () => {
      throw new Error('boom');
    });
    pulse.defer('good', () => ran.push('good'));
    vi.advanceTimersByTime(1000);
    expect(ran).toEqual(['good']);
    pulse.defer('late', () => ran.push('late'));
    pulse.stop();
    vi.advanceTimersByTime(5000);
    expect(ran).toEqual(['good']);
  });

  it('tells progress readers once per beat, with the latest figures', () => {
    const pulse = new Pulse(1000, () => 0);
    const board = new ProgressBoard(pulse);
    const seen: (number | undefined)[] = [];
    board.subscribe('t', () => seen.push(board.get('t')?.bytes));
    board.set('t', { bytes: 10, rate: 1 });
    board.set('t', { bytes: 20, rate: 1 });
    board.set('t', { bytes: 30, rate: 1 });
    expect(board.get('t')?.bytes).toBe(30);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([30]);
    // The end of a transfer is told at once.
    board.delete('t');
    expect(seen).toEqual([30, undefined]);
  });
});
