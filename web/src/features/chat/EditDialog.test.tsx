// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { MAX_TEXT } from '../../protocol';
import { EditDialog } from './EditDialog';

afterEach(cleanup);

it('refuses to save an edit the receiver would cut', () => {
  const onSave = vi.fn();
  render(<EditDialog initial="short" onClose={() => {}} onSave={onSave} />);
  const box = screen.getByRole('textbox', { name: 'Edited message' });
  fireEvent.change(box, { target: { value: 'x'.repeat(MAX_TEXT + 1) } });
  expect(screen.getByRole('button', { name: 'Save' }).hasAttribute('disabled')).toBe(true);
  fireEvent.keyDown(box, { key: 'Enter' });
  expect(onSave).not.toHaveBeenCalled();
  expect(screen.getByText(/too long for one message/)).toBeTruthy();
  fireEvent.change(box, { target: { value: 'fits' } });
  fireEvent.keyDown(box, { key: 'Enter' });
  expect(onSave).toHaveBeenCalledWith('fits');
});
