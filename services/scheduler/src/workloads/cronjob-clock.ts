const MINUTE_MS = 60_000;

/**
 * The clock the CronJob controller schedules by: the wall clock. For tests only (the scheduler's
 * `CRONJOB_TEST_CLOCK_LEAD_MS`), a clock that moves forward so that a CronJob's first scheduled time comes `leadMs`
 * after the controller first waits for it, instead of at the next whole minute of the wall clock.
 *
 * It moves only to `leadMs` before its own next whole minute, so it passes no scheduled time of any CronJob (cron
 * times are whole minutes), and never back. Once moved it stays ahead of the wall clock by up to a minute: the
 * times the controller writes (`lastScheduleTime`, the Jobs' names and scheduled timestamps) are this clock's.
 */
export class CronJobClock {
  private aheadMs = 0;

  constructor(
    private readonly leadMs = 0,
    private readonly wall: () => number = Date.now,
  ) {}

  now(): Date {
    return new Date(this.wall() + this.aheadMs);
  }

  /** The wall-clock time (ms since the epoch) at which this clock reads `at`: when to look again. */
  wallTime(at: number): number {
    return at - this.aheadMs;
  }

  /**
   * Tests only: `next`, the first scheduled time of a CronJob that has not run yet, comes `leadMs` from now if it is
   * this clock's next whole minute and further away than that. Without a lead, nothing moves.
   */
  hurry(next: number): void {
    if (this.leadMs <= 0) return;
    const now = this.wall() + this.aheadMs;
    const nextMinute = (Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS;
    if (next === nextMinute && next - now > this.leadMs) this.aheadMs += next - now - this.leadMs;
  }
}
