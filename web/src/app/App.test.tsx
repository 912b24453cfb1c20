// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { App } from './App';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it('offers the colour-mode toggle on the connect screen too', async () => {
  vi.stubGlobal(
    'fetch',
    vi.fn(() => Promise.resolve(new Response('[]', { status: 200 }))),
  );
  render(<App />);
  expect(await screen.findByText('No servers found')).toBeTruthy();
  expect(screen.getByRole('button', { name: /^Colour mode: / })).toBeTruthy();
});
