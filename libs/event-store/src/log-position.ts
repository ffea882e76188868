/**
 * A place in the commit-ordered log. Readers order by (transactionId,
 * position); see read-all.ts for why position alone is not commit order.
 */
export interface LogPosition {
  transactionId: bigint;
  position: bigint;
}

export const LOG_START: LogPosition = { transactionId: 0n, position: 0n };

/**
 * Kubernetes resourceVersion of a log position: transactionId * 10^12 +
 * position, as a decimal string. It rises along the read order, so it rises
 * along every watch. Holds while positions stay below 10^12 (a trillion
 * events), far beyond what one Postgres log of this system will hold.
 */
const SCALE = 1_000_000_000_000n;

export function resourceVersionOf(p: LogPosition): string {
  return (p.transactionId * SCALE + p.position).toString();
}

export function parseResourceVersion(rv: string): LogPosition | undefined {
  if (!/^\d{1,30}$/.test(rv)) return undefined;
  const n = BigInt(rv);
  return { transactionId: n / SCALE, position: n % SCALE };
}

export function compareLogPositions(a: LogPosition, b: LogPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}
