import { Latencies } from './histogram';

/** One kind of request in a mix, with its share of the traffic (weights need not add up to anything). */
export interface MixEntry<K extends string> {
  kind: K;
  weight: number;
}

/**
 * A deterministic weighted round-robin over the kinds: every client walks the same cycle from
 * its own offset, so each run sends the same shares and no random generator blurs a comparison.
 */
export function mixCycle<K extends string>(entries: MixEntry<K>[]): K[] {
  const cycle: K[] = [];
  const total = entries.reduce((n, e) => n + e.weight, 0);
  if (!entries.length || total <= 0 || entries.some((e) => !Number.isInteger(e.weight) || e.weight < 0)) {
    throw new Error('a mix needs non-negative integer weights with a positive sum');
  }
  // Interleave: at each step pick the kind furthest behind its share (smooth weighted round-robin).
  const credit = new Map(entries.map((e) => [e.kind, 0]));
  for (let i = 0; i < total; i++) {
    let best = entries[0];
    for (const e of entries) {
      credit.set(e.kind, credit.get(e.kind)! + e.weight);
      if (credit.get(e.kind)! > credit.get(best.kind)!) best = e;
    }
    credit.set(best.kind, credit.get(best.kind)! - total);
    cycle.push(best.kind);
  }
  return cycle;
}

/** A rate for a table: whole numbers from 100 up, two significant digits below (a paced smoke cell's 0.4/s is not 0). */
export function perSecond(count: number, seconds: number): number {
  const rate = count / seconds;
  return rate >= 100 ? Math.round(rate) : Number(rate.toPrecision(2));
}

/** Latencies and failures per kind, plus the overall count, for one measured cell. */
export class MixTally<K extends string> {
  private readonly latencies = new Map<K, Latencies>();
  private readonly failures = new Map<K, number>();

  record(kind: K, ms: number, ok: boolean): void {
    if (!ok) {
      this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
      return;
    }
    let l = this.latencies.get(kind);
    if (!l) this.latencies.set(kind, (l = new Latencies()));
    l.record(ms);
  }

  /** Requests that succeeded, of every kind. */
  get total(): number {
    let n = 0;
    for (const l of this.latencies.values()) n += l.count;
    return n;
  }

  /** Requests that failed, of every kind. */
  get failed(): number {
    let n = 0;
    for (const f of this.failures.values()) n += f;
    return n;
  }

  /** One row per kind in first-seen order: count, failures, p50/p90/p99/max in ms and the kind's requests/s over `seconds`. */
  rows(seconds: number, extra: Record<string, unknown> = {}): Record<string, unknown>[] {
    const kinds = [...new Set([...this.latencies.keys(), ...this.failures.keys()])];
    return kinds.map((kind) => {
      const s = (this.latencies.get(kind) ?? new Latencies()).summary();
      return { ...extra, kind, requests: s.count, failed: this.failures.get(kind) ?? 0, 'req/s': perSecond(s.count, seconds), 'p50 ms': s.p50, 'p90 ms': s.p90, 'p99 ms': s.p99, 'max ms': s.max };
    });
  }
}
