// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppState, TincanClient } from '../rtc';
import { initialState } from '../rtc/state';
import { Store } from '../rtc/store';
import { ClientContext } from '../ui/client-context';
import { ChatShell } from './ChatShell';

afterEach(cleanup);

function renderShell(state: Partial<AppState>, onSignOut = vi.fn()) {
  const client = {
    store: new Store<AppState>({ ...initialState('me'), status: 'online', ...state }),
    apiBase: 'http://h/api',
    selectPeer: () => {},
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

describe('ChatShell own name', () => {
  it('has the full name as a tooltip where the card may cut it', () => {
    const long = 'someone-with-a-name-much-longer-than-the-card-is-wide';
    renderShell({ name: long });
    expect(screen.getByTestId('own-name').getAttribute('title')).toBe(long);
  });
});
