// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { colorIndex, COLORS } from '../protocol';
import type { AppState, TincanClient } from '../rtc';
import { initialState } from '../rtc/state';
import { Store } from '../rtc/store';
import { ClientContext } from '../ui/client-context';
import { ChatShell } from './ChatShell';

afterEach(cleanup);

function renderShell(state: Partial<AppState>, onSignOut = vi.fn(), rename = vi.fn()) {
  const client = {
    store: new Store<AppState>({ ...initialState('me'), status: 'online', ...state }),
    apiBase: 'http://h/api',
    selectPeer: () => {},
    setRelayOnly: () => {},
    rename,
  } as unknown as TincanClient;
  render(
    <ClientContext.Provider value={client}>
      <ChatShell onLogout={() => {}} onSignOut={onSignOut} />
    </ClientContext.Provider>,
  );
  return onSignOut;
}

describe('ChatShell own card', () => {
  it('offers "Sign out" to a signed-in user', () => {
    const onSignOut = renderShell({ authentication: 'session' });
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(onSignOut).toHaveBeenCalledOnce();
  });

  it('has no "Sign out" for a visitor', () => {
    renderShell({ authentication: 'none' });
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Disconnect' })).toBeTruthy();
  });
});

describe('ChatShell preferences', () => {
  afterEach(() => localStorage.clear());

  it('renames without a colour the user did not pick, as the original (peers derive it from the name)', () => {
    const rename = vi.fn();
    renderShell({ name: 'ann' }, vi.fn(), rename);
    fireEvent.click(screen.getByRole('button', { name: 'Preferences' }));
    fireEvent.change(screen.getByLabelText('Display name'), { target: { value: 'bob' } });
    // The colour shown is the new name's, as peers will derive it.
    const bobs = COLORS[colorIndex(undefined, 'bob')]!.name;
    expect(screen.getByRole('radio', { name: bobs }).getAttribute('aria-checked')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(rename).toHaveBeenCalledWith('bob', undefined);
  });

  it('renames with the colour picked, or the one chosen before', () => {
    const rename = vi.fn();
    renderShell({ name: 'ann', colorIndex: 4 }, vi.fn(), rename);
    fireEvent.click(screen.getByRole('button', { name: 'Preferences' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    fireEvent.click(screen.getByRole('button', { name: 'Preferences' }));
    fireEvent.click(screen.getByRole('radio', { name: 'green' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(rename.mock.calls).toEqual([
      ['ann', 4],
      ['ann', 8],
    ]);
  });
});

describe('ChatShell own name', () => {
  it('has the full name as a tooltip where the card may cut it', () => {
    const long = 'someone-with-a-name-much-longer-than-the-card-is-wide';
    renderShell({ name: long });
    expect(screen.getByTestId('own-name').getAttribute('title')).toBe(long);
  });
});

describe('ChatShell peer list width', () => {
  // A wide screen (the panel beside the conversation); jsdom has no matchMedia nor PointerEvent.
  function wideScreen() {
    vi.stubGlobal('matchMedia', (media: string) => ({
      matches: media.includes('min-width'),
      media,
      onchange: null,
      addListener() {},
      removeListener() {},
      addEventListener() {},
      removeEventListener() {},
      dispatchEvent: () => false,
    }));
    if (!('PointerEvent' in window)) vi.stubGlobal('PointerEvent', class extends MouseEvent {});
    vi.stubGlobal('innerWidth', 1200);
  }
  afterEach(() => vi.unstubAllGlobals());

  it('is resized by dragging its edge or with the arrow keys, within 80 % of the window', () => {
    wideScreen();
    renderShell({});
    const handle = screen.getByRole('separator', { name: 'Resize the peer list' });
    const width = () => Number(handle.getAttribute('aria-valuenow'));
    expect(width()).toBe(360);
    fireEvent.pointerDown(handle, { clientX: 360, button: 0 });
    fireEvent.pointerMove(window, { clientX: 460 });
    fireEvent.pointerUp(window, { clientX: 460 });
    expect(width()).toBe(460);
    fireEvent.pointerMove(window, { clientX: 600 }); // the drag is over
    expect(width()).toBe(460);
    fireEvent.keyDown(handle, { key: 'ArrowLeft' });
    expect(width()).toBe(444);
    fireEvent.keyDown(handle, { key: 'End' });
    expect(width()).toBe(960);
    fireEvent.pointerDown(handle, { clientX: 960, button: 0 });
    fireEvent.pointerMove(window, { clientX: 0 });
    expect(width()).toBe(240);
  });
});
