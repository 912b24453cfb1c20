// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatItem, FileView, TincanClient } from '../../rtc';
import { ClientContext } from '../../ui/client-context';
import { MessageBubble } from './MessageBubble';

afterEach(cleanup);

const actions = { onEdit: () => {}, onDelete: () => {}, onRetry: () => {}, onCancel: () => {} };
const client = {
  progress: { get: () => undefined, subscribe: () => () => {} },
} as unknown as TincanClient;
const wrap = (node: ReactNode) =>
  render(<ClientContext.Provider value={client}>{node}</ClientContext.Provider>);

function fileItem(extra: Partial<ChatItem>, file: Partial<FileView> = {}): ChatItem {
  return {
    id: 'f1',
    out: false,
    timestamp: 1,
    file: {
      transferId: 'f1',
      name: 'cat.png',
      size: 2048,
      type: 'image/png',
      category: 'image',
      bytes: 2048,
      rate: 0,
      status: 'complete',
      sha256: 'ab'.repeat(32),
      verification: 'verified',
      ...file,
    },
    ...extra,
  };
}

describe('MessageBubble file cards', () => {
  it('shows a live completed file with its image and verification', () => {
    wrap(
      <MessageBubble item={fileItem({}, { url: 'blob:x' })} authorName="bob" actions={actions} />,
    );
    const card = screen.getByRole('group', { name: 'File cat.png' });
    expect(within(card).getByTestId('transfer-status').textContent).toBe('Complete');
    expect(within(card).getByText('SHA-256 verified')).toBeTruthy();
    expect(within(card).getByRole('img', { name: 'cat.png' })).toBeTruthy();
  });

  it('shows a file announced without a size as bytes so far, with no total and no ETA', () => {
    const file = { size: 0, sizeUnknown: true, bytes: 3 * 1024 * 1024, rate: 1024 * 1024 };
    const item = fileItem({}, { ...file, status: 'transferring', name: 'stream.bin' });
    wrap(<MessageBubble item={item} authorName="bob" actions={actions} />);
    const card = screen.getByRole('group', { name: 'File stream.bin' });
    const caption = within(card).getByTestId('transfer-status').parentElement!.textContent ?? '';
    expect(caption).toContain('3');
    expect(caption).not.toContain(' of ');
    expect(caption).not.toMatch(/left|remaining|ETA/i);
    const bar = within(card).getByRole('progressbar', { name: 'Transfer progress of stream.bin' });
    expect(bar.getAttribute('aria-valuenow')).toBeNull(); // indeterminate
  });

  it('does not claim a file restored after a reload is complete and verified', () => {
    wrap(<MessageBubble item={fileItem({ restored: true })} authorName="bob" actions={actions} />);
    const card = screen.getByRole('group', { name: 'File cat.png' });
    expect(card.getAttribute('data-transfer-status')).toBe('unavailable');
    expect(within(card).getByTestId('transfer-status').textContent).toBe(
      'No longer available: received before the page was reloaded',
    );
    expect(within(card).queryByText('Complete')).toBeNull();
    expect(within(card).queryByText('SHA-256 verified')).toBeNull();
    expect(within(card).queryByRole('link')).toBeNull();
  });

  it('says "sent" for our own restored file', () => {
    wrap(
      <MessageBubble
        item={fileItem({ restored: true, out: true, status: 'delivered' })}
        authorName="bob"
        actions={actions}
      />,
    );
    expect(screen.getByTestId('transfer-status').textContent).toBe(
      'No longer available: sent before the page was reloaded',
    );
    expect(screen.queryByText('Sent')).toBeNull();
  });
});

describe('MessageBubble image preview', () => {
  it('opens a received image larger in a dialog named after the file; Escape closes it', async () => {
    wrap(
      <MessageBubble item={fileItem({}, { url: 'blob:x' })} authorName="bob" actions={actions} />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Open a larger preview of cat.png' }));
    const dialog = await screen.findByRole('dialog', { name: 'cat.png' });
    expect(within(dialog).getByRole('img', { name: 'cat.png' }).getAttribute('src')).toBe('blob:x');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
