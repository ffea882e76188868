import { timerDelay } from '@openpacific/objects';

/** kubelet's minimumGracePeriodInSeconds: what a container's stop keeps after its preStop hook took the rest. */
export const MINIMUM_GRACE_SECONDS = 2;

/**
 * When a stop's grace period ends: `graceSeconds` from when it began, brought forward (never put back) when a shorter
 * one is asked while it runs.
 */
export class StopDeadline {
  private at: number;
  /** The waits for the deadline under way, each re-armed when it is brought forward. */
  private readonly waits = new Set<() => void>();

  constructor(graceSeconds: number) {
    this.at = Date.now() + graceSeconds * 1000;
  }

  /**
   * The seconds left, rounded up: a grace period less what its preStop hooks took in whole seconds, as kubelet
   * counts it (and the whole grace period when no hook ran).
   */
  secondsLeft(): number {
    return Math.max(0, Math.ceil((this.at - Date.now()) / 1000));
  }

  /** Brings the deadline forward to `graceSeconds` from now; false when that is not sooner than it was. */
  shorten(graceSeconds: number): boolean {
    const at = Date.now() + graceSeconds * 1000;
    if (at >= this.at) return false;
    this.at = at;
    for (const rearm of this.waits) rearm();
    return true;
  }

  /** `work`'s answer, or undefined when the deadline comes first (it runs on, unawaited). */
  async within<T>(work: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    let rearm = () => {};
    const late = new Promise<undefined>((resolve) => {
      rearm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => resolve(undefined), timerDelay(this.at));
      };
    });
    rearm();
    this.waits.add(rearm);
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
      this.waits.delete(rearm);
    }
  }
}

/**
 * A deleted pod's stop, as kubelet's pod worker runs it: the preStop hooks bounded by the grace period, then the stop
 * signal with what is left of it (at least 2 s) before the kill. A shorter grace period asked meanwhile (the pod's
 * `deletionGracePeriodSeconds` brought down by a second DELETE) counts from when it is seen, as kubelet takes it: hooks
 * still running are waited for until then, and a stop signal already sent is sent again with the shorter wait (still
 * at least 2 s) when that ends sooner, as kubelet's kill started again with the new grace period does. A longer one
 * changes nothing.
 */
export class PodStop {
  readonly deadline: StopDeadline;
  /** The stops asked of the runtime, the first and any shorter ones after it (each settles: see `failure`). */
  private readonly stops: Promise<void>[] = [];
  /** The first error a stop answered with. */
  private failure: unknown;
  /** When the stop signal's wait under way ends (ms), once it was sent. */
  private signalEndsAt?: number;
  private over = false;

  constructor(
    graceSeconds: number,
    /** Asks the runtime to stop the pod: the stop signal, `graceSeconds` to end, then the kill. */
    private readonly stopSandbox: (graceSeconds: number) => Promise<unknown>,
  ) {
    this.deadline = new StopDeadline(graceSeconds);
  }

  /** Runs the hooks (bounded by the deadline), then the stop; resolves once every stop asked has ended. */
  async run(hooks: (deadline: StopDeadline) => Promise<void>): Promise<void> {
    await hooks(this.deadline);
    this.signal();
    // A stop asked again while these are awaited joins the list: the pod has stopped once all have ended.
    for (let i = 0; i < this.stops.length; i++) await this.stops[i];
    this.over = true;
    if (this.failure !== undefined) throw this.failure;
  }

  /** A shorter grace period from now, if it ends the stop sooner; a longer one changes nothing. */
  shorten(graceSeconds: number): void {
    if (!this.deadline.shorten(graceSeconds) || this.signalEndsAt === undefined || this.over) return;
    this.signal();
  }

  private signal(): void {
    const seconds = Math.max(this.deadline.secondsLeft(), MINIMUM_GRACE_SECONDS);
    const endsAt = Date.now() + seconds * 1000;
    if (this.signalEndsAt !== undefined && endsAt >= this.signalEndsAt) return;
    this.signalEndsAt = endsAt;
    this.stops.push(this.stopSandbox(seconds).then(() => undefined, (err) => void (this.failure ??= err)));
  }
}
