/**
 * Completion indexes as a Job's status and its success policy write them: `0-2,4,6-8`. Read by the gateway
 * (validating `successPolicy.rules[].succeededIndexes`) and the Job controller (matching them).
 */

/** Indexes written as Kubernetes writes `completedIndexes` and `failedIndexes`: sorted, runs of three or more as ranges; pairs stay a list. */
export function indexRanges(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j === i) parts.push(String(sorted[i]));
    else if (j === i + 1) parts.push(String(sorted[i]), String(sorted[j]));
    else parts.push(`${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Go's strconv.Atoi on what kube-apiserver reads as an index: an optional sign and decimal digits. */
const atoi = (s: string): number | undefined => (/^[+-]?\d+$/.test(s) ? Number(s) : undefined);

/** Inclusive intervals of indexes, in increasing order (kept as intervals: `0-99999` need not become 100000 numbers). */
export type IndexIntervals = Array<[number, number]>;

export const intervalsTotal = (intervals: IndexIntervals) => intervals.reduce((n, [x, y]) => n + y - x + 1, 0);
export const intervalsHave = (intervals: IndexIntervals, index: number) => intervals.some(([x, y]) => x <= index && index <= y);

/**
 * The intervals of `text` (indexes below `completions`), or kube-apiserver's reason for refusing it
 * (`too large index: "5"`, `non-increasing order, previous: 3, current: 2`).
 */
export function parseIndexRanges(text: string, completions: number): { intervals: IndexIntervals } | { error: string } {
  const intervals: IndexIntervals = [];
  if (text === '') return { intervals };
  let last: number | undefined;
  for (const interval of text.split(',')) {
    const limits = interval.split('-');
    if (limits.length > 2) return { error: `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'` };
    const bounds: number[] = [];
    for (const limit of limits) {
      const n = atoi(limit);
      if (n === undefined) return { error: `cannot convert string to integer for index: ${JSON.stringify(limit)}` };
      if (n >= completions) return { error: `too large index: ${JSON.stringify(limit)}` };
      bounds.push(n);
    }
    const [x, y = x] = bounds;
    if (bounds.length === 2 && x >= y) return { error: `non-increasing order, previous: ${x}, current: ${y}` };
    if (last !== undefined && last >= x) return { error: `non-increasing order, previous: ${last}, current: ${x}` };
    intervals.push([x, y]);
    last = y;
  }
  return { intervals };
}
