import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AppState, Progress, TincanClient } from '../rtc';

export const ClientContext = createContext<TincanClient | null>(null);

export function useClient(): TincanClient {
  const c = useContext(ClientContext);
  if (!c) throw new Error('useClient outside ClientContext');
  return c;
}

/** Reads a slice of the RTC store; the selector must return parts of the immutable state. */
export function useAppState<T>(select: (s: AppState) => T): T {
  const client = useClient();
  return useSyncExternalStore(client.store.subscribe, () => select(client.store.getState()));
}

/** Live bytes and rate of one file transfer; re-renders only its reader on a progress tick. */
export function useTransferProgress(transferId: string): Progress | undefined {
  const client = useClient();
  return useSyncExternalStore(
    (fn) => client.progress.subscribe(transferId, fn),
    () => client.progress.get(transferId),
  );
}
