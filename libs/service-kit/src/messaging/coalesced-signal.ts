/**
 * Rate-limits a fire-and-forget signal (the "log appended" wake-up) to at most
 * one per `windowMs`, without ever dropping the last one: the first call in a
 * quiet period fires at once, calls inside the window collapse into a single
 * trailing fire when it closes. So every call is followed by a fire no later
 * than `windowMs` after it, and a burst of N appends costs the listeners a few
 * wake-ups instead of N (each wake-up is a log read in every follower).
 *
 * A call may name what it signals (the resources appended); a fire carries the
 * union of what the calls it stands for named, so a listener can tell whether
 * it concerns them. A call that names nothing makes its fire name nothing
 * (`undefined`): "something changed, every listener should look".
 */
export class CoalescedSignal<T = string> {
  private timer?: NodeJS.Timeout;
  /** What the calls since the last fire named; `undefined` when there were none. */
  private pending?: Named<T>;
  private closed = false;

  constructor(
    private readonly fire: (what: ReadonlySet<T> | undefined) => void,
    private readonly windowMs: number,
  ) {}

  signal(what?: Iterable<T>): void {
    if (this.closed) return;
    if (this.timer) {
      this.pending = union(this.pending, what);
      return;
    }
    this.fire(union(undefined, what).items);
    this.openWindow();
  }

  /** Sends a still-pending trailing signal now and stops; later calls are ignored. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending && !this.closed) this.fire(this.pending.items);
    this.pending = undefined;
    this.closed = true;
  }

  private openWindow(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const pending = this.pending;
      if (!pending) return;
      this.pending = undefined;
      this.fire(pending.items);
      this.openWindow();
    }, this.windowMs);
    // A pending wake-up must not keep a finished process alive; followers poll anyway.
    this.timer.unref();
  }
}

/** What some calls named: `items` undefined once any of them named nothing (that fire must name nothing too). */
interface Named<T> {
  items: Set<T> | undefined;
}

function union<T>(into: Named<T> | undefined, what: Iterable<T> | undefined): Named<T> {
  if (!what) return { items: undefined };
  if (into && !into.items) return into;
  const items = into?.items ?? new Set<T>();
  for (const item of what) items.add(item);
  return { items };
}
