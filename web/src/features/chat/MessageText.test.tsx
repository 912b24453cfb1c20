// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { cutLong, LONG_CHARS, LONG_LINES, MessageText } from './MessageText';

afterEach(cleanup);

describe('MessageText', () => {
  it('shows short texts whole', () => {
    expect(cutLong('hello\nworld')).toBeNull();
    expect(cutLong('x'.repeat(LONG_CHARS))).toBeNull();
    expect(cutLong('a\n'.repeat(LONG_LINES - 1))).toBeNull();
  });

  it('folds texts with too many characters or lines', () => {
    expect(cutLong('x'.repeat(LONG_CHARS + 1))).toBe(`${'x'.repeat(LONG_CHARS)}…`);
    expect(cutLong('a\n'.repeat(32000))).toBe(`${'a\n'.repeat(LONG_LINES - 1)}a…`);
    expect(cutLong(`${'x'.repeat(LONG_CHARS - 1)}😀`)).toBe(`${'x'.repeat(LONG_CHARS - 1)}…`);
  });

  it('lays out only the beginning of a huge message until asked for the rest', () => {
    const text = 'line\n'.repeat(20000);
    const { container } = render(<MessageText className="message-text" text={text} />);
    const shown = container.querySelector('.message-text')!.textContent!;
    expect(shown.length).toBeLessThan(LONG_LINES * 5 + 2);
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    expect(container.querySelector('.message-text')!.textContent).toBe(text);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });
});
