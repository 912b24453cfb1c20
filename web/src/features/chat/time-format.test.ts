import { describe, expect, it } from 'vitest';
import { formatDate, formatTime, warmTimeFormats } from './time-format';

describe('time formats', () => {
  const ts = Date.UTC(2026, 11, 7, 8, 5, 9);

  it('match what toLocaleTimeString and toLocaleDateString give', () => {
    expect(formatTime(ts)).toBe(
      new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
    );
    expect(formatDate(ts)).toBe(
      new Date(ts).toLocaleDateString([], {
        weekday: 'long',
        year: 'numeric',
        month: 'long',
        day: 'numeric',
      }),
    );
  });

  it('can be warmed without a page', () => {
    expect(() => warmTimeFormats()).not.toThrow();
  });
});
