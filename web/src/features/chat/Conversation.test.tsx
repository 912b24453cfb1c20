// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import type { AppState, PeerView, TincanClient } from '../../rtc';
import { initialState } from '../../rtc/state';
import { Store } from '../../rtc/store';
import { makePeer } from '../../rtc/testing/peer-view';
import { ClientContext } from '../../ui/client-context';
import { Conversation } from './Conversation';

afterEach(cleanup);

function renderConversation(peer: PeerView) {
  const state: AppState = { ...initialState('me'), peers: { [peer.nodeId]: peer } };
  const client = {
    store: new Store(state),
    apiBase: 'http://h/api',
    setReadingNewest: () => {},
  } as unknown as TincanClient;
  render(
    <ClientContext.Provider value={client}>
      <Conversation peerId={peer.nodeId} />
    </ClientContext.Provider>,
  );
  return screen.getByRole('textbox', { name: 'Message' });
}

it('says why the message box is disabled when the peer has left', () => {
  const box = renderConversation(makePeer('b', 'bob', { online: false }));
  expect(box.hasAttribute('disabled')).toBe(true);
  expect(box.getAttribute('placeholder')).toBe('bob is offline');
});

it('says it is waiting while an online peer is being connected', () => {
  const box = renderConversation(makePeer('b', 'bob', { connection: 'connecting' }));
  expect(box.getAttribute('placeholder')).toBe('Waiting for the connection…');
});

it('tells why files dragged over a peer that cannot take them will not be sent', () => {
  renderConversation(makePeer('b', 'bob', { chatOpen: true, supportsFiles: false }));
  const pane = screen.getByRole('region', { name: 'Conversation with bob' });
  const over = new Event('dragover', { bubbles: true, cancelable: true });
  Object.defineProperty(over, 'dataTransfer', { value: { types: ['Files'], files: [] } });
  fireEvent(pane, over);
  expect(screen.getByTestId('drop-overlay').textContent).toBe('bob cannot receive files');
  expect(over.defaultPrevented).toBe(false); // refused (by the window guard), not taken
});
