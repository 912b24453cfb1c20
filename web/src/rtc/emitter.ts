type Listener<T> = (value: T) => void;

/**
 * A small typed event emitter. A listener that throws is logged and never breaks the emitter
 * or the other listeners (STYLE.md: user callbacks never propagate into the library).
 */
export class Emitter<Events extends object> {
  private listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        (fn as Listener<Events[K]>)(value);
      } catch (e) {
        console.error(`listener for ${String(event)} threw`, e);
      }
    }
  }
}

/** Errors from the RTC core: typed, with a stable code, emitted as events. */
export interface RtcError {
  code:
    | 'signalling_refused'
    | 'bad_signal'
    | 'bad_peer_message'
    | 'negotiation_failed'
    | 'ice_failed'
    | 'transfer_failed'
    | 'not_connected';
  message: string;
  peer?: string;
}
