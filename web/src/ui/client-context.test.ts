import { describe, expect, it } from 'vitest';
import { initialState, type AppState } from '../rtc/state';
import { Store } from '../rtc/store';
import { RENDER_INTERVAL, throttledSubscribe } from './client-context';

const settle = () => new Promise<void>((r) => queueMicrotask(r));

describe('throttledSubscribe', () => {
  it('tells components of a burst of changes once at once and once at the end, not per change', async () => {
    const store = new Store<AppState>(initialState('me'));
    let calls = 0;
    const unsubscribe = throttledSubscribe(store)(() => calls++);
    expect(throttledSubscribe(store)).toBe(throttledSubscribe(store)); // stable for React
    for (let i = 0; i < 100; i++) {
      store.update((s) => ({ ...s, name: `n${i}` }));
      await settle(); // each change in its own turn, as messages arriving one by one
      await settle();
    }
    expect(calls).toBe(1);
    await new Promise((r) => setTimeout(r, RENDER_INTERVAL + 20));
    expect(calls).toBe(2);
    unsubscribe();
    store.update((s) => ({ ...s, name: 'after' }));
    await new Promise((r) => setTimeout(r, RENDER_INTERVAL + 20));
    expect(calls).toBe(2);
  });
});
