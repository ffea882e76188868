/**
 * Rate-limits a fire-and-forget signal (the "log appended" wake-up) to at most
 * one per `windowMs`, without ever dropping the last one: the first call in a
 * quiet period fires at once, calls inside the window collapse into a single
 * trailing fire when it closes. So every call is followed by a fire no later
 * than `windowMs` after it, and a burst of N appends costs the listeners a few
 * wake-ups instead of N (each wake-up is a log read in every follower).
 */
export class CoalescedSignal {
  private timer?: NodeJS.Timeout;
  private pending = false;
  private closed = false;

  constructor(
    private readonly fire: () => void,
    private readonly windowMs: number,
  ) {}

  signal(): void {
    if (this.closed) return;
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.fire();
    this.openWindow();
  }

  /** Sends a still-pending trailing signal now and stops; later calls are ignored. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending && !this.closed) this.fire();
    this.pending = false;
    this.closed = true;
  }

  private openWindow(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.pending) return;
      this.pending = false;
      this.fire();
      this.openWindow();
    }, this.windowMs);
    // A pending wake-up must not keep a finished process alive; followers poll anyway.
    this.timer.unref();
  }
}
