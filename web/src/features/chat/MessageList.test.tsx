// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatItem } from '../../rtc';
import { MessageList, PAGE } from './MessageList';

afterEach(cleanup);

const actions = { onEdit: () => {}, onDelete: () => {}, onRetry: () => {}, onCancel: () => {} };
const burst = (n: number): ChatItem[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    out: false,
    timestamp: 0,
    text: `burst ${i}`,
  }));

/** A list of 30 messages with `peer`, then scrolled up to earlier ones (jsdom has no layout). */
function scrolledUp(peer: string, told: boolean[], scrollKey?: string) {
  const view = render(
    <MessageList
      items={burst(30)}
      peerName={peer}
      actions={actions}
      {...(scrollKey ? { scrollKey } : {})}
      onReadingNewest={(b) => told.push(b)}
    />,
  );
  const box = screen.getByRole('list', { name: `Messages with ${peer}` }).parentElement!;
  Object.defineProperty(box, 'scrollHeight', { configurable: true, value: 3000 });
  Object.defineProperty(box, 'clientHeight', { configurable: true, value: 500 });
  box.scrollTop = 1000;
  fireEvent.scroll(box);
  return { ...view, box };
}

describe('MessageList', () => {
  it('renders only the newest messages of a huge burst, earlier ones on request', () => {
    render(<MessageList items={burst(5000)} peerName="mallory" actions={actions} />);
    const list = screen.getByRole('list', { name: 'Messages with mallory' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(PAGE);
    expect(within(list).getByText('burst 4999')).toBeTruthy();
    expect(within(list).queryByText(`burst ${4999 - PAGE}`)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: `Show earlier messages (${5000 - PAGE})` }));
    expect(within(list).getAllByRole('listitem')).toHaveLength(2 * PAGE);
    expect(within(list).getByText(`burst ${4999 - PAGE}`)).toBeTruthy();
  });

  it('scrolled up, offers the new messages and says when the newest are in view again', () => {
    const told: boolean[] = [];
    const { rerender, box } = scrolledUp('bob', told);
    expect(told).toEqual([true, false]);
    // No button without anything new below.
    expect(screen.queryByRole('button', { name: /new message/ })).toBeNull();
    rerender(
      <MessageList
        items={burst(32)}
        peerName="bob"
        actions={actions}
        unread={2}
        onReadingNewest={(b) => told.push(b)}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: '2 new messages' }));
    expect(box.scrollTop).toBe(3000);
    expect(told).toEqual([true, false, true]);
    expect(screen.queryByRole('button', { name: /new message/ })).toBeNull();
  });

  it('opened again where it was left, reads the newest when they are in view all the same', () => {
    const first: boolean[] = [];
    const { unmount } = scrolledUp('ann', first, 'ann');
    expect(first).toEqual([true, false]);
    // Left scrolled up, with a message at the top of the view: the position is kept.
    const rect = vi
      .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
      .mockImplementation(function (this: HTMLElement) {
        return (
          this.dataset.messageId ? { top: 10, bottom: 60 } : { top: 0, bottom: 500 }
        ) as DOMRect;
      });
    unmount();
    rect.mockRestore();
    // Opened again in a window where the whole conversation fits (jsdom: no height at all).
    vi.stubGlobal('CSS', { escape: (v: string) => v }); // not in jsdom
    const again: boolean[] = [];
    render(
      <MessageList
        items={burst(30)}
        peerName="ann"
        actions={actions}
        scrollKey="ann"
        onReadingNewest={(b) => again.push(b)}
      />,
    );
    vi.unstubAllGlobals();
    expect(again.at(-1)).toBe(true);
  });

  it('shows a short conversation whole, without the button', () => {
    render(<MessageList items={burst(3)} peerName="bob" actions={actions} />);
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: /Show earlier/ })).toBeNull();
  });
});
