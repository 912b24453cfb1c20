// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_CHAT_FRAME, MAX_TEXT } from '../../protocol';
import { Composer } from './Composer';
import { groupDigits, measureText } from './text-limit';

afterEach(cleanup);

function setup(canAttach = true) {
  const onSend = vi.fn();
  const onFiles = vi.fn();
  render(<Composer ready canAttach={canAttach} onSend={onSend} onFiles={onFiles} />);
  const box = screen.getByRole('textbox', { name: 'Message' });
  const type = (text: string) => fireEvent.change(box, { target: { value: text } });
  return { onSend, onFiles, box, type };
}

describe('Composer length limit', () => {
  it('shows the count near the limit and still sends a text that fits', () => {
    const { onSend, box, type } = setup();
    type('a'.repeat(100));
    expect(screen.queryByTestId('text-counter')).toBeNull();
    type('a'.repeat(MAX_TEXT));
    expect(screen.getByTestId('text-counter').textContent).toBe(
      `${groupDigits(MAX_TEXT)} / ${groupDigits(MAX_TEXT)}`,
    );
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledOnce();
  });

  it('refuses a text the receiver would cut, and sends it as a .txt file in one click', async () => {
    const { onSend, onFiles, box, type } = setup();
    const text = 'line of text 12345678901234567890\n'.repeat(5000);
    type(text);
    expect(screen.getByTestId('text-counter').textContent).toBe(
      `${groupDigits(text.length)} / 65\u202f536`,
    );
    expect(screen.getByRole('button', { name: 'Send' }).hasAttribute('disabled')).toBe(true);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('Too long for one message');

    fireEvent.click(screen.getByRole('button', { name: 'Send as a file' }));
    expect(onFiles).toHaveBeenCalledOnce();
    const [file] = onFiles.mock.calls[0]![0] as File[];
    expect(file!.name).toBe('message.txt');
    expect(file!.type).toBe('text/plain');
    const read = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(r.result as string);
      r.readAsText(file!);
    });
    expect(read).toBe(text);
    expect((box as HTMLTextAreaElement).value).toBe('');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says so when the peer cannot take files', () => {
    const { type } = setup(false);
    type('x'.repeat(MAX_TEXT + 1));
    expect(screen.getByRole('alert').textContent).toContain('cannot receive files');
    expect(screen.queryByRole('button', { name: 'Send as a file' })).toBeNull();
  });
});

describe('measureText', () => {
  it('counts the JSON frame the receiver checks, not only the characters', () => {
    // Under the character limit, but every control character is a 6-byte escape on the wire.
    const escaped = '\u0001'.repeat(MAX_TEXT - 1);
    expect(JSON.stringify(escaped).length).toBeGreaterThan(MAX_CHAT_FRAME);
    expect(measureText(escaped)).toMatchObject({ fits: false, frameTooLarge: true });
    expect(measureText('é'.repeat(MAX_TEXT)).fits).toBe(true);
    expect(measureText('a'.repeat(MAX_TEXT + 1)).fits).toBe(false);
    // An edit carries the message as JSON inside JSON: each quote costs four bytes there.
    const quotes = '"'.repeat(MAX_TEXT);
    expect(measureText(quotes).fits).toBe(true);
    expect(measureText(quotes, 'edit')).toMatchObject({ fits: false, frameTooLarge: true });
  });

  it("uses the peer's own message size where it is smaller (bots take 64 KiB)", () => {
    // 60 000 two-byte characters: 120 000 bytes, fine for a browser, too large for a bot.
    const text = 'é'.repeat(60_000);
    expect(measureText(text).fits).toBe(true);
    expect(measureText(text, 'message', 64 * 1024)).toMatchObject({
      fits: false,
      frameTooLarge: true,
    });
    expect(measureText('a'.repeat(60_000), 'message', 64 * 1024).fits).toBe(true);
  });
});

describe('Composer and the peer message size', () => {
  it('refuses a text the peer could not take in one message', () => {
    const onSend = vi.fn();
    render(
      <Composer ready canAttach={false} maxFrameBytes={65536} onSend={onSend} onFiles={() => {}} />,
    );
    const box = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.change(box, { target: { value: 'é'.repeat(60_000) } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('once encoded');
  });
});

describe('Composer focus', () => {
  it('takes the focus when the conversation just opened becomes ready', () => {
    const props = { canAttach: true, onSend: () => {}, onFiles: () => {}, focusWhenReady: true };
    const { rerender } = render(<Composer ready={false} {...props} />);
    const box = screen.getByRole('textbox', { name: 'Message' });
    expect(document.activeElement).not.toBe(box);
    rerender(<Composer ready {...props} />);
    expect(document.activeElement).toBe(box);
  });

  it('leaves the focus where the user moved it meanwhile', () => {
    const props = { canAttach: true, onSend: () => {}, onFiles: () => {}, focusWhenReady: true };
    const { rerender } = render(
      <>
        <button>elsewhere</button>
        <Composer ready={false} {...props} />
      </>,
    );
    screen.getByRole('button', { name: 'elsewhere' }).focus();
    rerender(
      <>
        <button>elsewhere</button>
        <Composer ready {...props} />
      </>,
    );
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'elsewhere' }));
  });
});
