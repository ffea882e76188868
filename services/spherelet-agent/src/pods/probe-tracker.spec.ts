import { ProbeMetrics, ProbeOwner } from './probe-metrics';
import { probeEvent, ProbeTracker } from './probe-tracker';
import type { ProbeResult, ProbeTarget } from './probes';

const owner = (container = 'app', podUid = 'uid-web'): ProbeOwner => ({ namespace: 'default', pod: 'web', podUid, container });
/** Lets the probe runs started by an observe end. */
const settle = () => new Promise((r) => setImmediate(r));

describe('probe runs told in Events', () => {
  /** A tracker over an exec probe whose results the test hands out, one per run. */
  function tracked(results: ProbeResult[], failureThreshold = 2) {
    let changes = 0;
    const tracker = new ProbeTracker(() => changes++);
    const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: async () => results.shift() ?? { ok: true, message: '' } };
    const spec = { readinessProbe: { exec: { command: ['check'] }, periodSeconds: 0, failureThreshold } };
    const observe = async () => {
      const verdict = tracker.observe(owner(), 'c1', 0, spec, target);
      await new Promise((r) => setImmediate(r));
      return verdict;
    };
    return { observe, changes: () => changes };
  }

  it('tells every failed run, before the threshold and after it, in kubelet\'s words', async () => {
    const fail = { ok: false, message: 'not ready yet\n' };
    const { observe, changes } = tracked([fail, fail, fail, { ok: true, message: '' }, fail]);
    await observe();
    expect(changes()).toBe(1);
    const told: string[] = [];
    for (let i = 0; i < 5; i++) told.push(...(await observe()).reports.map((r) => `${probeEvent(r).reason} ${probeEvent(r).message}`));
    expect(told).toEqual(Array(4).fill('Unhealthy Readiness probe failed: not ready yet\n'));
  });

  it('throws away a run that errored, telling it, and tells a pass with a warning as a ProbeWarning', async () => {
    const fail = { ok: false, message: 'no\n' };
    const errored = { ok: false, errored: true, message: 'container abc is not running' };
    const warned = { ok: true, warning: true, message: 'Probe terminated redirects, Response body: moved' };
    const { observe } = tracked([fail, errored, errored, fail, warned], 2);
    const verdicts = [];
    for (let i = 0; i < 6; i++) verdicts.push(await observe());
    const told = verdicts.flatMap((v) => v.reports.map((r) => probeEvent(r)));
    expect(told).toEqual([
      { reason: 'Unhealthy', message: 'Readiness probe failed: no\n' },
      { reason: 'Unhealthy', message: 'Readiness probe errored and resulted in unknown state: container abc is not running' },
      { reason: 'Unhealthy', message: 'Readiness probe errored and resulted in unknown state: container abc is not running' },
      { reason: 'Unhealthy', message: 'Readiness probe failed: no\n' },
      { reason: 'ProbeWarning', message: 'Readiness probe warning: Probe terminated redirects, Response body: moved' },
    ]);
    // The errors between the two failures did not break the streak: the second failure reached the threshold of 2.
    expect(verdicts[4].ready).toBe(false);
    expect(verdicts[5].ready).toBe(true);
  });

  it('fails a container whose startup probe fails its threshold, and probes neither readiness nor liveness before it passes', async () => {
    let runs = 0;
    const tracker = new ProbeTracker(() => undefined);
    const target: ProbeTarget = {
      podIP: '127.0.0.1',
      ports: [],
      exec: async (command) => {
        runs++;
        return command[0] === 'starting' ? { ok: false, message: 'not up\n' } : { ok: true, message: '' };
      },
    };
    const spec = {
      startupProbe: { exec: { command: ['starting'] }, periodSeconds: 0, failureThreshold: 2 },
      readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 0 },
      livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 0 },
    };
    const observe = async () => {
      const verdict = tracker.observe(owner(), 'c2', 0, spec, target);
      await new Promise((r) => setImmediate(r));
      return verdict;
    };
    expect(await observe()).toMatchObject({ started: false, ready: false, failed: undefined });
    expect(await observe()).toMatchObject({ started: false, ready: false, failed: undefined });
    expect(await observe()).toMatchObject({ started: false, ready: false, failed: 'startup' });
    // The startup probe alone, twice: on hold from its threshold on, until the container is a new one.
    expect(runs).toBe(2);
  });

  it('says nothing failed of a container whose startup probe passed and whose liveness probe passes', async () => {
    const tracker = new ProbeTracker(() => undefined);
    const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: async () => ({ ok: true, message: '' }) };
    const spec = { startupProbe: { exec: { command: ['starting'] }, periodSeconds: 0 }, livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 0 } };
    tracker.observe(owner(), 'c3', 0, spec, target);
    await new Promise((r) => setImmediate(r));
    const verdict = tracker.observe(owner(), 'c3', 0, spec, target);
    await new Promise((r) => setImmediate(r));
    expect(verdict).toMatchObject({ started: true, ready: true, failed: undefined });
  });
});

describe('a liveness probe that fails its threshold, as kubelet\'s prober worker holds it', () => {
  /** A container `c` with a liveness and a readiness probe run on every observe; the test says how each run ends. */
  function probed() {
    const runs: string[] = [];
    let alive = false;
    const metrics = new ProbeMetrics();
    const tracker = new ProbeTracker(() => undefined, metrics);
    const target: ProbeTarget = {
      podIP: '127.0.0.1',
      ports: [],
      exec: async (command) => {
        runs.push(command[0]);
        if (command[0] === 'ready') return { ok: true, message: '' };
        return alive ? { ok: true, message: '' } : { ok: false, message: 'command "sleep 5" timed out' };
      },
    };
    const spec = { livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 0, failureThreshold: 2 }, readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 0 } };
    const observe = async (containerId: string, who = owner()) => {
      const verdict = tracker.observe(who, containerId, 0, spec, target);
      await settle();
      return verdict;
    };
    return { runs, observe, tracker, metrics, live: () => (alive = true) };
  }

  it('says the container failed once, and runs the probe no more on it while it is killed; readiness goes on', async () => {
    const { runs, observe } = probed();
    const failed: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++) failed.push((await observe('c1')).failed);
    // Two failures reach the threshold (seen on the next observe); then one `failed`, and nothing more of liveness.
    expect(failed).toEqual([undefined, undefined, 'liveness', undefined, undefined, undefined, undefined, undefined]);
    expect(runs.filter((r) => r === 'alive')).toHaveLength(2);
    expect(runs.filter((r) => r === 'ready')).toHaveLength(8);
  });

  it('probes a new container afresh: a restart starts over with a passing verdict and a probe that runs', async () => {
    const { runs, observe, live } = probed();
    for (let i = 0; i < 4; i++) await observe('c1');
    expect((await observe('c1')).failed).toBeUndefined();
    live();
    const first = await observe('c2');
    expect(first.failed).toBeUndefined();
    expect(runs.filter((r) => r === 'alive')).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect((await observe('c2')).failed).toBeUndefined();
  });

  it('probes the container again after a kill that did not happen, and says so again when it fails again', async () => {
    const { observe, tracker } = probed();
    const failed: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) failed.push((await observe('c1')).failed);
    tracker.release(owner());
    for (let i = 0; i < 3; i++) failed.push((await observe('c1')).failed);
    expect(failed).toEqual([undefined, undefined, 'liveness', undefined, undefined, 'liveness']);
  });

  it('counts each run with a verdict by result per container across its restarts, not one that errored, and drops them with the pod', async () => {
    const metrics = new ProbeMetrics();
    const tracker = new ProbeTracker(() => undefined, metrics);
    const results: ProbeResult[] = [
      { ok: false, message: 'no\n' }, { ok: false, errored: true, message: 'container gone' }, { ok: true, message: '' },
      { ok: true, warning: true, message: 'Probe terminated redirects, Response body: ' },
    ];
    const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: async () => results.shift()! };
    const spec = { readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 0 } };
    tracker.observe(owner(), 'c1', 0, spec, target);
    await settle();
    tracker.observe(owner(), 'c1', 0, spec, target);
    await settle();
    tracker.observe(owner(), 'c2', 0, spec, target);
    await settle();
    tracker.observe(owner(), 'c2', 0, spec, target);
    await settle();
    const { totals, durations } = metrics.snapshot();
    expect(totals.map((t) => [t.kind, t.result, t.count]).sort()).toEqual([['readiness', 'failed', 1], ['readiness', 'successful', 2]]);
    expect(totals[0].owner).toEqual(owner());
    // The successful runs' durations (a failed run's is not observed, as kubelet observes none).
    expect(durations).toHaveLength(1);
    expect(durations[0]).toMatchObject({ owner: { namespace: 'default', pod: 'web', container: 'app' }, kind: 'readiness', count: 2 });

    tracker.forgetPod('uid-web');
    expect(metrics.snapshot()).toEqual({ totals: [], durations: [] });
  });

  it('leaves out a run that ends after its pod was forgotten', async () => {
    const metrics = new ProbeMetrics();
    const tracker = new ProbeTracker(() => undefined, metrics);
    let end: (r: ProbeResult) => void = () => undefined;
    const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: () => new Promise((resolve) => (end = resolve)) };
    tracker.observe(owner(), 'c1', 0, { livenessProbe: { exec: { command: ['slow'] }, periodSeconds: 0 } }, target);
    tracker.forgetPod('uid-web');
    end({ ok: false, message: 'late' });
    await settle();
    expect(metrics.snapshot().totals).toEqual([]);
  });

  it('keeps the probes of the pods still here and drops the others', async () => {
    const metrics = new ProbeMetrics();
    const tracker = new ProbeTracker(() => undefined, metrics);
    const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: async () => ({ ok: true, message: '' }) };
    const spec = { livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 0 } };
    tracker.observe(owner('app', 'uid-a'), 'a1', 0, spec, target);
    tracker.observe(owner('app', 'uid-b'), 'b1', 0, spec, target);
    await settle();
    tracker.retainPods(new Set(['uid-b']));
    expect(metrics.snapshot().totals.map((t) => t.owner.podUid)).toEqual(['uid-b']);
  });
});
