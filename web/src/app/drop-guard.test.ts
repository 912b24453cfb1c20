// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { installDropGuard } from './drop-guard';

/** jsdom has no DragEvent: an Event carrying a dataTransfer-like object. */
function drag(type: string, types: string[]) {
  const e = new Event(type, { bubbles: true, cancelable: true });
  const dataTransfer = { types, dropEffect: 'copy' };
  Object.defineProperty(e, 'dataTransfer', { value: dataTransfer });
  return { e, dataTransfer };
}

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  document.body.innerHTML = '';
});

describe('installDropGuard', () => {
  it('keeps a file dropped outside any drop zone from navigating the tab away', () => {
    uninstall = installDropGuard(window);
    const over = drag('dragover', ['Files']);
    document.body.dispatchEvent(over.e);
    expect(over.e.defaultPrevented).toBe(true);
    expect(over.dataTransfer.dropEffect).toBe('none');
    const drop = drag('drop', ['Files']);
    document.body.dispatchEvent(drop.e);
    expect(drop.e.defaultPrevented).toBe(true);
  });

  it('leaves a drop zone that took the drag alone, and text drags untouched', () => {
    uninstall = installDropGuard(window);
    const zone = document.createElement('div');
    document.body.append(zone);
    zone.addEventListener('dragover', (e) => e.preventDefault());
    const over = drag('dragover', ['Files']);
    zone.dispatchEvent(over.e);
    expect(over.dataTransfer.dropEffect).toBe('copy');
    const text = drag('drop', ['text/plain']);
    document.body.dispatchEvent(text.e);
    expect(text.e.defaultPrevented).toBe(false);
  });
});
