// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { largeFileSetting } from './prefs';

describe('largeFileSetting', () => {
  afterEach(() => localStorage.clear());

  it('takes a whole number of bytes from localStorage', () => {
    localStorage.setItem('tincan_large_file', '33554432');
    expect(largeFileSetting()).toEqual({ largeFile: 33554432 });
    localStorage.setItem('tincan_large_file', '0');
    expect(largeFileSetting()).toEqual({ largeFile: 0 });
  });

  it('leaves the default for anything else', () => {
    expect(largeFileSetting()).toEqual({});
    for (const v of ['', '-1', '1e9', '12.5', ' 5', 'x', '9'.repeat(16)]) {
      localStorage.setItem('tincan_large_file', v);
      expect(largeFileSetting()).toEqual({});
    }
  });
});
