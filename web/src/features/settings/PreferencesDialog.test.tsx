// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
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

it('offers relay-only connections and says when the server has no relay', () => {
  const saved: boolean[] = [];
  const { unmount } = render(
    <PreferencesDialog
      open
      name="ann"
      color={3}
      relayAvailable
      onClose={() => {}}
      onSave={(_n, _c, relay) => saved.push(relay)}
    />,
  );
  expect(screen.getByText(/never learn your IP address/)).toBeTruthy();
  fireEvent.click(screen.getByRole('switch', { name: "Connect through the server's relay only" }));
  fireEvent.click(screen.getByRole('button', { name: 'Save' }));
  expect(saved).toEqual([true]);
  unmount();
  render(
    <PreferencesDialog open name="ann" color={3} relayOnly onClose={() => {}} onSave={() => {}} />,
  );
  expect(screen.getByText(/This server offers no relay/)).toBeTruthy();
  expect(
    (
      screen.getByRole('switch', {
        name: "Connect through the server's relay only",
      }) as HTMLInputElement
    ).checked,
  ).toBe(true);
});
