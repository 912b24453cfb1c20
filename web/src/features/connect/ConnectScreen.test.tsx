// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { ConnectScreen } from './ConnectScreen';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it('offers a retry when the server list cannot be loaded, and shows the servers after it', async () => {
  const servers = [{ id: 'local', name: 'Local', url: '/api/ws', apiPrefix: '/api' }];
  let up = false;
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      if (!up) return Promise.reject(new TypeError('Failed to fetch'));
      const body = url.startsWith('/servers.json') ? servers : { logged_in: false };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
    }),
  );
  render(<ConnectScreen onConnect={() => {}} />);
  const retry = await screen.findByRole('button', { name: 'Retry' });
  expect(screen.getByRole('alert').textContent).toContain('cannot be reached');
  up = true;
  fireEvent.click(retry);
  expect(await screen.findByRole('button', { name: 'Connect' })).toBeTruthy();
  expect(screen.queryByRole('alert')).toBeNull();
});
