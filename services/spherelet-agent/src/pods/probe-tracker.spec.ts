import { probeEvent, ProbeTracker } from './probe-tracker';
import type { ProbeResult, ProbeTarget } from './probes';

describe('probe runs told in Events', () => {
  /** A tracker over an exec probe whose results the test hands out, one per run. */
  function tracked(results: ProbeResult[], failureThreshold = 2) {
    let changes = 0;
    const tracker = new ProbeTracker(() => changes++);
    const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: async () => results.shift() ?? { ok: true, message: '' } };
    const spec = { readinessProbe: { exec: { command: ['check'] }, periodSeconds: 0, failureThreshold } };
    const observe = async () => {
      const verdict = tracker.observe('c1', 0, spec, target);
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
      const verdict = tracker.observe('c2', 0, spec, target);
      await new Promise((r) => setImmediate(r));
      return verdict;
    };
    expect(await observe()).toMatchObject({ started: false, ready: false, failed: undefined });
    expect(await observe()).toMatchObject({ started: false, ready: false, failed: undefined });
    expect(await observe()).toMatchObject({ started: false, ready: false, failed: 'startup' });
    expect(runs).toBe(3); // the startup probe alone
  });

  it('says nothing failed of a container whose startup probe passed and whose liveness probe passes', async () => {
    const tracker = new ProbeTracker(() => undefined);
    const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: async () => ({ ok: true, message: '' }) };
    const spec = { startupProbe: { exec: { command: ['starting'] }, periodSeconds: 0 }, livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 0 } };
    tracker.observe('c3', 0, spec, target);
    await new Promise((r) => setImmediate(r));
    const verdict = tracker.observe('c3', 0, spec, target);
    await new Promise((r) => setImmediate(r));
    expect(verdict).toMatchObject({ started: true, ready: true, failed: undefined });
  });
});
