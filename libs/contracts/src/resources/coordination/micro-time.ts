/**
 * metav1.MicroTime as kube-apiserver writes it: RFC 3339 in UTC with exactly six fractional digits
 * (`2026-12-04T03:30:00.123456Z`), whatever precision and offset the client sent.
 */
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** A Date (millisecond precision) as a MicroTime. */
export function microTime(at: Date = new Date()): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The MicroTime form of an RFC 3339 time (digits past the sixth dropped, as Go's parse and format do), or undefined if it is none. */
export function normalizeMicroTime(text: string): string | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, date, time, fraction = '', offset] = m;
  const whole = Date.parse(`${date}T${time}${offset.toUpperCase()}`);
  if (Number.isNaN(whole)) return undefined;
  const micros = (fraction + '000000').slice(0, 6);
  return `${new Date(whole).toISOString().slice(0, 19)}.${micros}Z`;
}

/** Milliseconds since the epoch of a MicroTime (or any RFC 3339 time), NaN when it is none. */
export function microTimeMs(text: string | undefined): number {
  return text ? Date.parse(text) : NaN;
}
