import type { Progress } from './file-transfer';
import type { Pulse } from './pulse';

/**
 * Live progress of file transfers, kept apart from the message list: a progress tick notifies
 * only the subscribers of that transfer (its progress bar), instead of replacing the
 * conversation's message list and re-rendering the whole conversation. The message list is
 * patched only when a transfer changes status. With a Pulse, readers hear of ticks at its beat
 * (together with the page's other live figures); `get` always has the latest value.
 */
export class ProgressBoard {
  private readonly values = new Map<string, Progress>();
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly pulse: Pulse | null = null) {}

  get = (id: string): Progress | undefined => this.values.get(id);

  subscribe = (id: string, fn: () => void): (() => void) => {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.listeners.delete(id);
    };
  };

  set(id: string, p: Progress): void {
    this.values.set(id, p);
    if (this.pulse) this.pulse.defer(`progress:${id}`, () => this.notify(id));
    else this.notify(id);
  }

  /** The transfer ended; its final figures live in the message list again. */
  delete(id: string): void {
    if (this.values.delete(id)) this.notify(id);
  }

  private notify(id: string) {
    for (const fn of [...(this.listeners.get(id) ?? [])]) {
      try {
        fn();
      } catch (e) {
        console.error('progress listener threw', e);
      }
    }
  }
}
