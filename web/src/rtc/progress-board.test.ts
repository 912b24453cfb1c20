import { describe, expect, it } from 'vitest';
import { ProgressBoard } from './progress-board';

describe('progress board', () => {
  it('notifies only the subscribers of the transfer that moved', () => {
    const board = new ProgressBoard();
    const seen: string[] = [];
    board.subscribe('a', () => seen.push(`a:${board.get('a')?.bytes}`));
    const stopB = board.subscribe('b', () => seen.push('b'));
    board.set('a', { bytes: 10, rate: 5 });
    board.set('a', { bytes: 20, rate: 5 });
    expect(seen).toEqual(['a:10', 'a:20']);
    stopB();
    board.set('b', { bytes: 1, rate: 1 });
    expect(seen).toEqual(['a:10', 'a:20']);
    expect(board.get('b')).toEqual({ bytes: 1, rate: 1 });
  });

  it('forgets a finished transfer and tells its readers once', () => {
    const board = new ProgressBoard();
    let calls = 0;
    board.subscribe('a', () => calls++);
    board.set('a', { bytes: 1, rate: 0 });
    board.delete('a');
    board.delete('a');
    expect(calls).toBe(2);
    expect(board.get('a')).toBeUndefined();
  });
});
