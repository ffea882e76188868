import { CronExpressionParser } from 'cron-parser';

/**
 * CronJob schedules as Kubernetes reads them: five fields (minute, hour, day of month, month, day of week) or
 * one of the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, in
 * the CronJob's `timeZone` (an IANA name) or UTC. The fields themselves are read by cron-parser.
 */
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Why a schedule or time zone is refused (the message after `Invalid value: "<schedule>": `), or undefined. */
export function cronScheduleProblem(schedule: string, timeZone?: string): string | undefined {
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  const fields = text.split(/\s+/);
  if (text.startsWith('@') ? !DESCRIPTORS.has(text) : fields.length !== 5) {
    return text.startsWith('@') ? `unrecognized descriptor: ${text}` : `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  }
  try {
    CronExpressionParser.parse(text, { tz: timeZone ?? 'UTC' });
    return undefined;
  } catch (err) {
    return neverFires(err) ? undefined : (err as Error).message;
  }
}

/**
 * Whether cron-parser refused a schedule only because its days of the month never come in its months (`0 0 30 2 *`):
 * Kubernetes' parser takes such a schedule, which then never fires.
 */
function neverFires(err: unknown): boolean {
  return /Invalid explicit day of month definition/.test((err as Error)?.message ?? '');
}

/** Is `zone` a time zone this machine knows (IANA names)? */
export function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The latest scheduled time in (`after`, `now`], or undefined; and the first after `now`. A schedule that never fires
 * (the 30th of February) has neither.
 */
export function cronTimes(schedule: string, timeZone: string | undefined, after: Date, now: Date): { latest?: Date; next?: Date } {
  const tz = timeZone ?? 'UTC';
  let next: Date;
  try {
    next = CronExpressionParser.parse(schedule.trim(), { currentDate: now, tz }).next().toDate();
  } catch (err) {
    if (neverFires(err)) return {};
    throw err;
  }
  // prev() from just past `now` includes a time exactly at `now`.
  const prev = CronExpressionParser.parse(schedule.trim(), { currentDate: new Date(now.getTime() + 1), tz }).prev().toDate();
  return { latest: prev.getTime() > after.getTime() ? prev : undefined, next };
}
