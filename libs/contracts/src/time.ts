/**
 * metav1.Time as kube-apiserver writes it: RFC 3339 in UTC to the whole second (`2026-12-05T13:40:07Z`), the
 * form of every `creationTimestamp`, `lastTransitionTime` and `startedAt`. A burst writes several a pod, most
 * within the same second, so the last second's text is kept and handed out again (one `toISOString` a second).
 */
let last = { second: NaN, text: '' };

/** `at` (a Date or milliseconds since the epoch; now when left out) as a metav1.Time: the milliseconds dropped. */
export function rfc3339(at: Date | number = Date.now()): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  const second = Math.floor(ms / 1000);
  if (second === last.second) return last.text;
  const iso = new Date(second * 1000).toISOString();
  // Years past 9999 or before 0 read `+012345-…`/`-000001-…`: only the fraction goes, whatever comes before it.
  const text = iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  last = { second, text };
  return text;
}
