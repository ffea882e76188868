import { CronJobClock } from './cronjob-clock';
import { decideCronJob } from './cronjob-logic';

const at = (time: string) => Date.parse(time);
const cronJob = (name: string, schedule: string) => ({
  metadata: { name, namespace: 'default', uid: name, creationTimestamp: '2026-12-03T08:07:29Z' },
  spec: { schedule, concurrencyPolicy: 'Allow', jobTemplate: {} },
});

describe('the CronJob controller clock', () => {
  let wall: number;
  beforeEach(() => {
    wall = at('2026-12-03T08:07:30Z');
  });

  it('is the wall clock when no test lead is given, and never moves', () => {
    const clock = new CronJobClock(0, () => wall);
    clock.hurry(at('2026-12-03T08:08:00Z'));
    expect(clock.now().getTime()).toBe(wall);
    expect(clock.wallTime(at('2026-12-03T08:08:00Z'))).toBe(at('2026-12-03T08:08:00Z'));
  });

  it('brings a first run at the next whole minute to the lead, and the Job is then started by the schedule at that minute', () => {
    const clock = new CronJobClock(2000, () => wall);
    const tick = cronJob('tick', '* * * * *');
    const waiting = decideCronJob(tick, [], clock.now());
    expect(waiting.create).toBeUndefined();
    clock.hurry(waiting.nextAt!);
    expect(clock.now().toISOString()).toBe('2026-12-03T08:07:58.000Z');
    // The controller looks again 2 s of wall time later.
    expect(clock.wallTime(waiting.nextAt!)).toBe(wall + 2000);
    wall += 2000;
    const due = decideCronJob(tick, [], clock.now());
    expect(due.create).toEqual({ name: `tick-${at('2026-12-03T08:08:00Z') / 60_000}`, scheduledTime: new Date('2026-12-03T08:08:00Z') });
    expect(due.status.lastScheduleTime).toBe('2026-12-03T08:08:00Z');
  });

  it('moves neither for a time beyond the next whole minute, nor for one already within the lead, nor back', () => {
    const clock = new CronJobClock(2000, () => wall);
    clock.hurry(at('2026-12-03T09:00:00Z'));
    expect(clock.now().getTime()).toBe(wall);
    clock.hurry(at('2026-12-03T08:08:00Z'));
    const moved = clock.now().getTime();
    wall += 1000;
    clock.hurry(at('2026-12-03T08:08:00Z'));
    expect(clock.now().getTime()).toBe(moved + 1000);
  });

  it('passes over no scheduled time of another CronJob when it moves', () => {
    const clock = new CronJobClock(2000, () => wall);
    const hourly = cronJob('hourly', '8 * * * *');
    const before = decideCronJob(hourly, [], clock.now());
    expect(before.nextAt).toBe(at('2026-12-03T08:08:00Z'));
    clock.hurry(decideCronJob(cronJob('tick', '* * * * *'), [], clock.now()).nextAt!);
    expect(decideCronJob(hourly, [], clock.now()).create).toBeUndefined();
    wall += 2000;
    expect(decideCronJob(hourly, [], clock.now()).status.lastScheduleTime).toBe('2026-12-03T08:08:00Z');
  });
});
