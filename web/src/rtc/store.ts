/**
 * A minimal external store: immutable snapshots, `subscribe`/`getState` for React's
 * useSyncExternalStore. Notifications are coalesced into one per microtask.
 */
export class Store<S> {
  private state: S;
  private listeners = new Set<() => void>();
  private scheduled = false;

  constructor(initial: S) {
    this.state = initial;
  }

  getState = (): S => this.state;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  update(fn: (s: S) => S): void {
    const next = fn(this.state);
    if (next === this.state) return;
    this.state = next;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const l of [...this.listeners]) {
        try {
          l();
        } catch (e) {
          console.error('store listener threw', e);
        }
      }
    });
  }
}
