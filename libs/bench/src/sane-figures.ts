/**
 * The smoke test's idea of figures that could be real, kept apart so it can be unit-tested without
 * running a scenario. Column names are the tables' own (`p99 ms`, `append tx/s`, `p50 (ms)`): anything
 * numeric (or a number in text, as some tables print) is checked, percentiles are grouped by the rest of
 * their column name, so `append p50 ms` is ordered against `append p99 ms` only.
 */

/** Percentile columns by their name: `p50`, `p99 ms`, `append p50 ms`, `p90 (ms)`… */
function percentile(key: string): number | undefined {
  const m = /(?:^|\s)p(50|90|99)(?:\s|$|\s*\()/.exec(key);
  return m ? Number(m[1]) : undefined;
}

/**
 * What in a row breaks "sane": a non-finite or negative number (a growth may be negative), a non-positive throughput,
 * percentiles out of order, and a paced cell (a row with `scheduled` requests) that does not account for each of them
 * as answered (`requests`), `failed` or `not sent`.
 */
export function insaneFigures(row: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const byPrefix = new Map<string, Map<number, number>>();
  for (const [key, value] of Object.entries(row)) {
    // Tables show some figures as text ("1.23", "87 %"); a number in text is checked as one.
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?[\d.]+(e[+-]?\d+)?( %)?$/i.test(value.trim()) ? Number.parseFloat(value) : undefined;
    if (n === undefined) continue;
    // A growth may be below zero: one process can hold less after a burst than before it (a collection ran).
    if (!Number.isFinite(n) || (n < 0 && !/\bgrowth\b/i.test(key))) problems.push(`${key} = ${String(value)}`);
    else if (/\/s\b|per ?s(ec)?\b|throughput|ops\b/i.test(key) && n <= 0) problems.push(`${key} = ${n}, a throughput of nothing`);
    const p = percentile(key);
    if (p !== undefined) {
      const prefix = key.replace(/p(50|90|99)/, 'p*');
      if (!byPrefix.has(prefix)) byPrefix.set(prefix, new Map());
      byPrefix.get(prefix)!.set(p, n);
    }
  }
  if (typeof row.scheduled === 'number') {
    const accounted = ['requests', 'failed', 'not sent'].reduce((n, key) => n + (typeof row[key] === 'number' ? (row[key] as number) : 0), 0);
    if (accounted !== row.scheduled) problems.push(`scheduled ${row.scheduled} ≠ ${accounted} answered, failed or not sent`);
  }
  for (const [prefix, ps] of byPrefix) {
    const ordered = [50, 90, 99].filter((p) => ps.has(p)).map((p) => [p, ps.get(p)!] as const);
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i][1] < ordered[i - 1][1]) problems.push(`${prefix}: p${ordered[i][0]} ${ordered[i][1]} < p${ordered[i - 1][0]} ${ordered[i - 1][1]}`);
    }
  }
  return problems;
}
