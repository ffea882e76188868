/**
 * A level-triggered controller loop: `schedule()` after any change asks for
 * one more pass over the whole current state; passes never overlap, requests
 * during a pass coalesce into the next one, a resync timer schedules passes
 * even without changes, and a failed pass is retried. The pass reads the
 * world and acts; it never looks at which change woke it.
 */
export class PassLoop {
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private running = false;
  private dirty = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly opts: {
      debounceMs?: number;
      resyncMs: number;
      retryMs?: number;
      onError: (err: unknown) => void;
      /** Called on each resync tick, before its pass is asked for (a pass that narrows its work widens it here). */
      onResync?: () => void;
    },
  ) {}

  start(): void {
    this.resync = setInterval(() => {
      this.opts.onResync?.();
      this.schedule();
    }, this.opts.resyncMs);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.resync);
  }

  /** Ask for a pass soon (debounced); during a pass, for another one right after it. */
  schedule(delayMs = this.opts.debounceMs ?? 10): void {
    this.dirty = true;
    if (this.stopped || this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delayMs);
  }

  private async run(): Promise<void> {
    this.running = true;
    this.dirty = false;
    let failed = false;
    try {
      await this.pass();
    } catch (err) {
      this.opts.onError(err);
      this.dirty = true;
      failed = true;
    } finally {
      this.running = false;
      // A change seen during the pass gets the next one after the usual debounce; only a failure waits retryMs.
      const debounce = this.opts.debounceMs ?? 10;
      if (this.dirty && !this.stopped) this.schedule(failed ? (this.opts.retryMs ?? debounce) : debounce);
    }
  }
}

/**
 * The pass loop of a controller whose read model a shared feed fills: a pass after every change the model takes, a
 * resync every `resyncMs` (5 s unless given), a failed pass retried after 200 ms and logged as `<what> pass failed`.
 */
export function feedPassLoop(
  feed: { addModel(model: { follows: readonly string[]; apply(event: any): unknown }, changed: () => void): void },
  model: { follows: readonly string[]; apply(event: any): unknown },
  pass: () => Promise<void>,
  opts: { what: string; logger: { warn(msg: string, fields?: Record<string, unknown>): void }; resyncMs?: number },
): PassLoop {
  const loop = new PassLoop(pass, { resyncMs: opts.resyncMs ?? 5000, retryMs: 200, onError: (err) => opts.logger.warn(`${opts.what} pass failed`, { error: (err as Error).message }) });
  feed.addModel(model, () => loop.schedule());
  return loop;
}

/** The longest delay a Node.js timer keeps: a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The delay of a timer that should fire at `at` (epoch ms), kept within what Node.js can wait: a due time weeks away
 * (a powerOnDelay of 1000h, an activeDeadlineSeconds of 35 days) fires after 24.8 days, the pass finding it not yet
 * due and setting the timer again; unclamped it fired at once, and each pass set it again, a thousand times a second.
 */
export function timerDelay(at: number, now: number = Date.now()): number {
  return Math.min(Math.max(0, at - now), MAX_TIMER_MS);
}
