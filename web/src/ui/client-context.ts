import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AppState, Progress, Store, TincanClient } from '../rtc';

export const ClientContext = createContext<TincanClient | null>(null);

export function useClient(): TincanClient {
  const c = useContext(ClientContext);
  if (!c) throw new Error('useClient outside ClientContext');
  return c;
}

/** Components hear of store changes at most this often (ms). */
export const RENDER_INTERVAL = 50;

const throttled = new WeakMap<Store<AppState>, (fn: () => void) => () => void>();

/**
 * A store subscription that tells components of changes at most once per RENDER_INTERVAL: the
 * first change after a quiet period at once, the rest of a burst together at the end of the
 * interval. A peer sending thousands of messages in a row (each its own task) made React render
 * the conversation once per message, freezing the tab for tens of seconds.
 */
export function throttledSubscribe(store: Store<AppState>): (fn: () => void) => () => void {
  const known = throttled.get(store);
  if (known) return known;
  const listeners = new Set<() => void>();
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;
  const flush = () => {
    timer = null;
    last = performance.now();
    for (const l of [...listeners]) l();
  };
  const subscribe = (fn: () => void) => {
    listeners.add(fn);
    unsubscribe ??= store.subscribe(() => {
      if (timer !== null) return;
      const wait = last + RENDER_INTERVAL - performance.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    });
    return () => {
      listeners.delete(fn);
      if (listeners.size || !unsubscribe) return;
      unsubscribe();
      unsubscribe = null;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    };
  };
  throttled.set(store, subscribe);
  return subscribe;
}

/** Reads a slice of the RTC store; the selector must return parts of the immutable state. */
export function useAppState<T>(select: (s: AppState) => T): T {
  const client = useClient();
  return useSyncExternalStore(throttledSubscribe(client.store), () =>
    select(client.store.getState()),
  );
}

/** Live bytes and rate of one file transfer; re-renders only its reader on a progress tick. */
export function useTransferProgress(transferId: string): Progress | undefined {
  const client = useClient();
  return useSyncExternalStore(
    (fn) => client.progress.subscribe(transferId, fn),
    () => client.progress.get(transferId),
  );
}
