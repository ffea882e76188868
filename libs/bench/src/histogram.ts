import * as hdr from 'hdr-histogram-js';

/** Latencies in microseconds, 1 µs to 10 min at 3 significant digits, in an HDR histogram (as wrk2 and HdrHistogram users report them). */
export class Latencies {
  private readonly histogram = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });

  /** Records one latency given in milliseconds. */
  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The p-th percentile in milliseconds (0 without samples). */
  percentile(p: number): number {
    return this.count === 0 ? 0 : this.histogram.getValueAtPercentile(p) / 1000;
  }

  /** p50/p90/p99/max in milliseconds, rounded to 0.01 ms, for a results table. */
  summary(): { count: number; p50: number; p90: number; p99: number; max: number } {
    const r = (v: number) => Math.round(v * 100) / 100;
    return { count: this.count, p50: r(this.percentile(50)), p90: r(this.percentile(90)), p99: r(this.percentile(99)), max: r(this.count === 0 ? 0 : this.histogram.maxValue / 1000) };
  }
}
