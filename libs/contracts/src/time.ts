/**
 * metav1.Time as kube-apiserver writes it: RFC 3339 in UTC to the whole second (`2026-12-05T13:40:07Z`), the
 * form of every `creationTimestamp`, `lastTransitionTime` and `startedAt`. A burst writes several a pod, most
 * within the same second, so the last second's text is kept and handed out again (one `toISOString` a second).
 */
let last = { second: NaN, text: '' };

/** The last instant RFC 3339 writes with four digits of year, which Go's time.Parse (and so kubectl) reads. */
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * `at` (a Date or milliseconds since the epoch; now when left out) as a metav1.Time: the milliseconds dropped. A time
 * past year 9999 (a deletion `9007199254740991` seconds away) is written as the last second of 9999: JavaScript's own
 * dates end in the year 275760, past which `toISOString` threw (a 500 for the DELETE), and any year of five digits is
 * one no Go client reads.
 */
export function rfc3339(at: Date | number = Date.now()): string {
  const given = typeof at === 'number' ? at : at.getTime();
  const ms = given > LATEST_MS ? LATEST_MS : given;
  const second = Math.floor(ms / 1000);
  if (second === last.second) return last.text;
  const iso = new Date(second * 1000).toISOString();
  // Years past 9999 or before 0 read `+012345-…`/`-000001-…`: only the fraction goes, whatever comes before it.
  const text = iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  last = { second, text };
  return text;
}
