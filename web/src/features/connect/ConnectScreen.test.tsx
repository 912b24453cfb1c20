// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { ConnectScreen, LOGIN_POLL_MS } from './ConnectScreen';

/** One server with anonymous access and a GitHub login. */
const WITH_GITHUB = [
  {
    id: 'main',
    name: 'Main',
    url: '/api/ws',
    apiPrefix: '/api',
    allowAnonymous: true,
    idp: [{ name: 'GitHub', kind: 'github', loginUrl: '/api/github/login' }],
  },
];

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

it('signs out with POST <apiPrefix>/logout and shows the login choices after it', async () => {
  const servers = WITH_GITHUB;
  let loggedIn = true;
  const calls: { url: string; init?: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init?: RequestInit) => {
      calls.push({ url, ...(init ? { init } : {}) });
      const json = (b: unknown) => Promise.resolve(new Response(JSON.stringify(b)));
      if (url.startsWith('/servers.json')) return json(servers);
      if (url.endsWith('/api/profile/status')) return json({ logged_in: loggedIn });
      if (url.endsWith('/api/profile')) return json({ username: 'octocat', displayName: 'Octo' });
      if (url.endsWith('/api/logout')) {
        loggedIn = false;
        return Promise.resolve(new Response('', { status: 200 }));
      }
      return Promise.resolve(new Response('', { status: 404 }));
    }),
  );
  render(<ConnectScreen onConnect={() => {}} />);
  expect(await screen.findByText('Logged in as Octo')).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
  expect(await screen.findByRole('link', { name: 'Sign in with GitHub' })).toBeTruthy();
  expect(screen.queryByText(/Logged in as/)).toBeNull();
  const out = calls.find((c) => c.url.endsWith('/logout'));
  expect(out?.url).toBe(`${location.origin}/api/logout`);
  expect(out?.init).toMatchObject({ method: 'POST', credentials: 'include' });
});

it('reconnects a pinned server once its login status is known: signed in with an empty name and no colour, else the visitor preference', async () => {
  const servers = [{ id: 'main', name: 'Main', url: '/api/ws', apiPrefix: '/api' }];
  for (const loggedIn of [true, false]) {
    localStorage.setItem('pinned_server', 'main');
    localStorage.setItem(
      'preference',
      JSON.stringify({ name: 'visitor-name', indexOfPreferColor: 5 }),
    );
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        const json = (b: unknown) => new Response(JSON.stringify(b));
        if (url.startsWith('/servers.json')) return json(servers);
        if (url.endsWith('/api/profile/status')) return json({ logged_in: loggedIn });
        if (url.endsWith('/api/profile')) return json({ username: 'octocat' });
        return new Response('', { status: 404 });
      }),
    );
    const onConnect = vi.fn();
    render(<ConnectScreen onConnect={onConnect} />);
    await vi.waitFor(() => expect(onConnect).toHaveBeenCalledTimes(1));
    // The original registers a signed-in user without its preference: neither the name nor the
    // colour (PROTOCOL.md 1.7, 7.2).
    expect(onConnect.mock.calls[0]![0]).toMatchObject(
      loggedIn ? { name: '', color: undefined } : { name: 'visitor-name', color: 5 },
    );
    // The visitor preference stays saved either way.
    expect(JSON.parse(localStorage.getItem('preference')!)).toEqual({
      name: 'visitor-name',
      indexOfPreferColor: 5,
    });
    cleanup();
    vi.unstubAllGlobals();
    localStorage.clear();
  }
});

it('shows a sign-in made in another tab within the 3 s status poll, as the original', async () => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  try {
    const servers = WITH_GITHUB;
    let loggedIn = false;
    const profiles: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string) => {
        const json = (b: unknown) => Promise.resolve(new Response(JSON.stringify(b)));
        if (url.startsWith('/servers.json')) return json(servers);
        if (url.endsWith('/api/profile/status')) return json({ logged_in: loggedIn });
        if (url.endsWith('/api/profile')) {
          profiles.push(url);
          return json({ username: 'octocat', displayName: 'Octo' });
        }
        return Promise.resolve(new Response('', { status: 404 }));
      }),
    );
    render(<ConnectScreen onConnect={() => {}} />);
    expect(await screen.findByRole('link', { name: 'Sign in with GitHub' })).toBeTruthy();
    loggedIn = true; // signed in elsewhere
    await vi.advanceTimersByTimeAsync(LOGIN_POLL_MS);
    expect(await screen.findByText('Logged in as Octo')).toBeTruthy();
    // The profile is fetched when the status changes, not at every poll.
    await vi.advanceTimersByTimeAsync(3 * LOGIN_POLL_MS);
    expect(profiles).toHaveLength(1);
  } finally {
    vi.useRealTimers();
  }
});
