import { cronScheduleProblem, cronTimes, knownTimeZone } from './cron';

describe('cron schedules', () => {
  it('take five fields and the descriptors, and refuse the rest with a reason', () => {
    expect(cronScheduleProblem('*/5 * * * *')).toBeUndefined();
    expect(cronScheduleProblem('0 9 * * 1-5', 'Europe/Berlin')).toBeUndefined();
    expect(cronScheduleProblem('@hourly')).toBeUndefined();
    expect(cronScheduleProblem('* * * * * *')).toBe('expected exactly 5 fields, found 6: [* * * * * *]');
    expect(cronScheduleProblem('@every 5m')).toBe('unrecognized descriptor: @every 5m');
    expect(cronScheduleProblem('TZ=UTC * * * * *')).toBe('cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
    expect(cronScheduleProblem('61 * * * *')).toMatch(/./);
  });

  it('give the latest time due since a point, and the next', () => {
    const now = new Date('2026-12-03T08:07:30Z');
    expect(cronTimes('*/5 * * * *', undefined, new Date('2026-12-03T08:00:00Z'), now)).toEqual({ latest: new Date('2026-12-03T08:05:00Z'), next: new Date('2026-12-03T08:10:00Z') });
    expect(cronTimes('*/5 * * * *', undefined, new Date('2026-12-03T08:05:00Z'), now).latest).toBeUndefined();
    expect(cronTimes('0 9 * * *', 'Europe/Berlin', new Date('2026-12-01T00:00:00Z'), now).latest).toEqual(new Date('2026-12-03T08:00:00Z'));
    expect(cronTimes('* * * * *', undefined, new Date(0), new Date('2026-12-03T08:07:00Z')).latest).toEqual(new Date('2026-12-03T08:07:00Z'));
  });

  it('know IANA time zones', () => {
    expect(knownTimeZone('America/New_York')).toBe(true);
    expect(knownTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('a schedule that never fires', () => {
  it('is taken, as Kubernetes takes the 30th of February, and has no times', () => {
    expect(cronScheduleProblem('0 0 30 2 *')).toBeUndefined();
    expect(cronTimes('0 0 30 2 *', undefined, new Date(0), new Date('2026-12-03T08:07:00Z'))).toEqual({});
    expect(cronScheduleProblem('0 0 32 * *')).toBeDefined();
  });
});
