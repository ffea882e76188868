import { eventStoreBench } from './event-store.bench';
import { guestClusterBench } from './guest-cluster.bench';
import type { Scenario } from './scenario';

/**
 * `npm run bench [-- <scenario>]`: prints a table per scenario and writes JSON (and charts) under bench-results/.
 * `BENCH_SMOKE=1` runs every scenario at tiny sizes (CI's check that the benchmark code still runs).
 */
export const scenarios: Record<string, Scenario> = {
  'event-store': (ctx) => eventStoreBench(ctx.durationMs),
  'guest-cluster': () => guestClusterBench(),
};
