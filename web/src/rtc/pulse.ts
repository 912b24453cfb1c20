/**
 * Live figures (transfer progress, RTT samples) reach the UI together, once per period, on a grid
 * shared by the whole page: the progress of every transfer and the RTT of the server and every
 * peer then change in one task, so the page paints one frame per period for all of them instead of
 * one per source. During a file transfer each frame costs CPU that the browsers' WebRTC threads
 * need (docs/benchmarks.md).
 */
export class Pulse {
  private readonly pending = new Map<string, () => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly periodMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs `fn` at the next beat; a later call with the same key replaces an earlier one. */
  defer(key: string, fn: () => void): void {
    this.pending.set(key, fn);
    if (this.timer !== null) return;
    const wait = this.periodMs - (this.now() % this.periodMs);
    this.timer = setTimeout(() => this.beat(), wait);
  }

  /** Runs everything pending now. */
  beat(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const fn of due) {
      try {
        fn();
      } catch (e) {
        console.error('pulse task threw', e);
      }
    }
  }

  /** Drops everything pending. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
