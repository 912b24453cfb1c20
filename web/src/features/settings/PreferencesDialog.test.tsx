// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import { PreferencesDialog } from './PreferencesDialog';

afterEach(cleanup);

it('opens with the current colour selected and says how long a name may be', () => {
  render(<PreferencesDialog open name="ann" color={3} onClose={() => {}} onSave={() => {}} />);
  const group = screen.getByRole('radiogroup', { name: 'Colour' });
  const checked = group.querySelectorAll('[aria-checked="true"]');
  expect(checked).toHaveLength(1);
  expect(checked[0]?.getAttribute('aria-label')).toBe('deep purple');
  expect(screen.getByText('3/64 characters')).toBeTruthy();
  expect(screen.getByLabelText('Display name').getAttribute('maxlength')).toBe('64');
});
