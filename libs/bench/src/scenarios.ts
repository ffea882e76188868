import { apiBench } from './api.bench';
import { consoleBench } from './console.bench';
import { vmsBench } from './vms.bench';
import { processPodsBench } from './process-pods.bench';
import { eventStoreBench } from './event-store.bench';
import { failoverBench } from './failover.bench';
import { guestClusterBench } from './guest-cluster.bench';
import { burstBench, burstCurveBench, memoryBench, steadyBench } from './pod-scale.bench';
import type { Scenario } from './scenario';

/**
 * `npm run bench [-- <scenario>]`: prints a table per scenario and writes JSON (and charts) under bench-results/.
 * `BENCH_SMOKE=1` runs every scenario at tiny sizes (CI's check that the benchmark code still runs).
 */
export const scenarios: Record<string, Scenario> = {
  'event-store': (ctx) => eventStoreBench(ctx.durationMs),
  'guest-cluster': (ctx) => guestClusterBench(ctx),
  failover: (ctx) => failoverBench(ctx),
  api: (ctx) => apiBench(ctx),
  vms: (ctx) => vmsBench(ctx),
  'process-pods': (ctx) => processPodsBench(ctx),
  burst: (ctx) => burstBench(ctx),
  steady: (ctx) => steadyBench(ctx),
  memory: (ctx) => memoryBench(ctx),
  'burst-curve': (ctx) => burstCurveBench(ctx),
  console: (ctx) => consoleBench(ctx),
};
