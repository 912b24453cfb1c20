// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { initialState } from '../../rtc/state';
import { Store } from '../../rtc/store';
import type { AppState, PeerView, TincanClient } from '../../rtc';
import { ClientContext } from '../../ui/client-context';
import { PeerList } from './PeerList';
import { makePeer } from '../../rtc/testing/peer-view';

afterEach(cleanup);

function renderList(peers: PeerView[], status: AppState['status'] = 'online') {
  const state: AppState = {
    ...initialState('me'),
    status,
    peers: Object.fromEntries(peers.map((p) => [p.nodeId, p])),
  };
  const client = {
    store: new Store(state),
    apiBase: 'http://h/api',
    selectPeer: () => {},
  } as unknown as TincanClient;
  return render(
    <ClientContext.Provider value={client}>
      <PeerList />
    </ClientContext.Provider>,
  );
}

const row = (name: string) => {
  const el = document.querySelector(`[data-peer-name="${name}"]`);
  if (!(el instanceof HTMLElement)) throw new Error(`no row ${name}`);
  return el;
};

describe('PeerList identity', () => {
  it('badges the JWT bot and the signed-in person, not the visitor named like the bot', () => {
    renderList([
      makePeer('echo_bot', 'echo_bot', {
        authentication: 'jwt',
        isBot: true,
        registeredAt: 3,
        account: { username: 'echo_bot', displayName: 'EchoBot', hasAvatar: true, isBot: true },
      }),
      makePeer('EchoBot', 'EchoBot', { attributes: { is_bot: 'true' }, registeredAt: 2 }),
      makePeer('octocat', 'octocat', { authentication: 'session', registeredAt: 1 }),
    ]);
    const bot = row('echo_bot');
    expect(bot.getAttribute('aria-label')).toBe('EchoBot, bot, signed in');
    expect(within(bot).getByText('EchoBot')).toBeTruthy();
    expect(within(bot).getByText('Bot')).toBeTruthy();
    expect(within(bot).getByLabelText('Signed in')).toBeTruthy();
    expect(bot.querySelector('img')?.getAttribute('src')).toBe(
      'http://h/api/profile/avatar?username=echo_bot',
    );

    const fake = row('EchoBot');
    expect(fake.getAttribute('aria-label')).toBe('EchoBot');
    expect(within(fake).queryByText('Bot')).toBeNull();
    expect(within(fake).queryByLabelText('Signed in')).toBeNull();
    expect(fake.querySelector('img')).toBeNull(); // generated letter avatar, no request
    // The avatar's tooltip, as the original's: node name and the server's authentication (its
    // two lines, as the matcher reads them).
    expect(within(bot).getByTitle('Username: @echo_bot Authentication: jwt')).toBeTruthy();
    expect(within(fake).getByTitle('Username: @EchoBot Authentication: none')).toBeTruthy();

    const person = row('octocat');
    expect(person.getAttribute('aria-label')).toBe('octocat, signed in');
    expect(within(person).queryByText('Bot')).toBeNull();
    expect(within(person).getByLabelText('Signed in')).toBeTruthy();
  });

  it('renders a hostile display name as inert text', () => {
    const evil = '<img src=x onerror="window.pwned=1"><b>boss</b>';
    renderList([
      makePeer('mallory', 'mallory', {
        authentication: 'session',
        account: { username: 'mallory', displayName: evil, hasAvatar: false, isBot: false },
      }),
    ]);
    const r = row('mallory');
    expect(within(r).getByText(evil)).toBeTruthy();
    expect(r.querySelector('b')).toBeNull();
    expect(r.querySelector('img')).toBeNull();
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
    expect(screen.getByRole('list', { name: 'Peers' })).toBeTruthy();
  });
});

describe('PeerList presence', () => {
  const peers = () => [
    makePeer('a', 'ann'),
    makePeer('b', 'bob', { online: false, connection: 'connected', chatOpen: true }),
    makePeer('c', 'cid', { online: false }),
  ];

  it('says what is known while the server is reachable', () => {
    renderList(peers(), 'online');
    expect(row('ann').textContent).toContain('Online');
    expect(row('bob').textContent).toContain('Connected directly (away from the server)');
    expect(row('cid').textContent).toContain('Offline');
  });

  it('does not claim anyone is online while the server cannot be reached', () => {
    renderList(peers(), 'offline');
    expect(row('ann').textContent).toContain('Last seen online');
    expect(row('bob').textContent).toContain('Connected directly');
  });
});

describe('PeerList names', () => {
  it('gives a name the row may cut its full text as a tooltip', () => {
    const long = 'a-very-long-visitor-name-that-does-not-fit-in-the-list-at-all';
    renderList([makePeer('l', long)]);
    expect(within(row(long)).getByTitle(long).textContent).toBe(long);
  });
});

describe('PeerList previews', () => {
  it("draws a file preview's mark as its category's icon, named for it", () => {
    renderList([
      makePeer('n1', 'ann', { lastPreview: '🖼 cat.png' }),
      makePeer('n2', 'ben', { lastPreview: '🎵 song.ogg' }),
      makePeer('n3', 'cid', { lastPreview: '📎 a.bin' }),
      makePeer('n4', 'dan', { lastPreview: '🖼no space is text' }),
    ]);
    const image = within(row('ann'));
    expect(image.getByTitle('Image')).toBeTruthy();
    expect(row('ann').textContent).toContain('cat.png');
    expect(row('ann').textContent).not.toContain('🖼');
    expect(within(row('ben')).getByTitle('Audio')).toBeTruthy();
    expect(within(row('cid')).getByTitle('File')).toBeTruthy();
    expect(row('dan').textContent).toContain('🖼no space is text');
  });
});
