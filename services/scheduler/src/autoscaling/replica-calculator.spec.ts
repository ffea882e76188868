import { MetricError, type PodMetric, resourceAverageValueReplicas, resourceUtilizationReplicas } from './replica-calculator';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

/** A Running pod requesting `cpu`, started long ago and ready since then unless told. */
function pod(name: string, opts: { cpu?: string; ready?: boolean; phase?: string; startedAgoMs?: number; readySinceMs?: number; deleting?: boolean } = {}) {
  const started = opts.startedAgoMs ?? 3_600_000;
  return {
    metadata: { name, ...(opts.deleting ? { deletionTimestamp: ago(0) } : {}) },
    spec: { containers: [{ name: 'app', resources: opts.cpu === undefined ? { requests: { cpu: '100m' } } : opts.cpu ? { requests: { cpu: opts.cpu } } : {} }] },
    status: {
      phase: opts.phase ?? 'Running',
      startTime: ago(started),
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: ago(opts.readySinceMs ?? started) }],
    },
  };
}

const sample = (milli: number): PodMetric => ({ value: milli, timestamp: NOW, windowMs: 1000 });
const metrics = (entries: Record<string, number>) => new Map(Object.entries(entries).map(([k, v]) => [k, sample(v)]));
const run = (pods: any[], m: Map<string, PodMetric>, target = 50, currentReplicas = pods.length) =>
  resourceUtilizationReplicas({ currentReplicas, resource: 'cpu', pods, metrics: m, now: NOW }, target);

describe('the replica calculation of a CPU utilization target', () => {
  it('scales to ceil(ratio × ready pods) with the utilization of the requests', () => {
    const r = run([pod('a'), pod('b')], metrics({ a: 90, b: 70 }));
    expect(r).toMatchObject({ replicas: 4, utilization: 80, rawAverage: 80 });
    expect(run([pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 10, b: 10, c: 10, d: 10 })).replicas).toBe(1);
  });

  it('keeps the size within the 10 % tolerance', () => {
    expect(run([pod('a'), pod('b')], metrics({ a: 54, b: 55 })).replicas).toBe(2);
    expect(run([pod('a'), pod('b')], metrics({ a: 57, b: 57 })).replicas).toBe(3);
  });

  it('counts pods without a sample at 0 % on a scale-up and at 100 % on a scale-down', () => {
    // Up: 200 % on one pod, none from the other: (200+0)/2 = 100 % against 50 % -> 4 pods.
    expect(run([pod('a'), pod('b')], metrics({ a: 200 })).replicas).toBe(4);
    // Down: 10 % on three pods, one missing at 100 %: (10*3+100)/4 = 32 % against 50 % -> ceil(0.64*4) = 3.
    expect(run([pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 10, b: 10, c: 10 })).replicas).toBe(3);
    // Missing at 100 % turns a small scale-down into none.
    expect(run([pod('a'), pod('b')], metrics({ a: 40 })).replicas).toBe(2);
  });

  it('counts not-ready and pending pods at 0 % on a scale-up and leaves them out of a scale-down', () => {
    const pods = [pod('a'), pod('b', { ready: false, startedAgoMs: 60_000, readySinceMs: 60_000 }), pod('c', { phase: 'Pending' })];
    // Up: only a's 150 % counts, then b and c at 0: 150/3 = 50 % against 40 % -> ceil(1.25*3) = 4.
    expect(run(pods, metrics({ a: 150, b: 500 }), 40, 3).replicas).toBe(4);
    // Down: a's 10 % alone: ceil(0.2 * 1) = 1.
    expect(run(pods, metrics({ a: 10, b: 10 }), 50, 3).replicas).toBe(1);
  });

  it('ignores pods being deleted or failed', () => {
    expect(run([pod('a'), pod('b', { deleting: true }), pod('c', { phase: 'Failed' })], metrics({ a: 100, b: 0, c: 0 }), 50, 1).replicas).toBe(2);
  });

  it('fails without a request for the resource, without samples, or without pods', () => {
    expect(() => run([pod('a', { cpu: '' })], metrics({ a: 10 }))).toThrow(new MetricError('missing request for cpu in container app of Pod a'));
    expect(() => run([pod('a', { phase: 'Pending' })], metrics({ a: 10 }))).toThrow('did not receive metrics for targeted pods (pods might be unready)');
    expect(() => run([], metrics({}))).toThrow('no pods returned by selector while calculating replica count');
  });

  it('takes one container only for a ContainerResource metric', () => {
    const p = pod('a');
    p.spec.containers.push({ name: 'sidecar', resources: {} } as any);
    expect(resourceUtilizationReplicas({ currentReplicas: 1, resource: 'cpu', container: 'app', pods: [p], metrics: metrics({ a: 100 }), now: NOW }, 50).replicas).toBe(2);
    expect(() => resourceUtilizationReplicas({ currentReplicas: 1, resource: 'cpu', pods: [p], metrics: metrics({ a: 100 }), now: NOW }, 50)).toThrow('missing request for cpu in container sidecar of Pod a');
  });
});

describe('the replica calculation of an AverageValue target', () => {
  it('divides the average usage by the target, without requests', () => {
    const pods = [pod('a', { cpu: '' }), pod('b', { cpu: '' })];
    expect(resourceAverageValueReplicas({ currentReplicas: 2, resource: 'cpu', pods, metrics: metrics({ a: 300, b: 100 }), now: NOW }, 100)).toMatchObject({ replicas: 4, rawAverage: 200 });
  });
});
