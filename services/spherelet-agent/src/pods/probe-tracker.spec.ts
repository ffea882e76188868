import { ProbeTracker, UNHEALTHY_REPEAT_MS, unhealthyMessage } from './probe-tracker';
import type { ProbeResult, ProbeTarget } from './probes';

describe('probe failures told in Unhealthy Events', () => {
  afterEach(() => jest.useRealTimers());

  /** A tracker over an exec probe whose results the test hands out, one per run. */
  function tracked(results: ProbeResult[]) {
    let changes = 0;
    const tracker = new ProbeTracker(() => changes++);
    const target: ProbeTarget = { podIP: '127.0.0.1', ports: [], exec: async () => results.shift() ?? { ok: true, message: '' } };
    const spec = { readinessProbe: { exec: { command: ['check'] }, periodSeconds: 1, failureThreshold: 2 } };
    const observe = async () => {
      const verdict = tracker.observe('c1', 0, spec, target);
      await new Promise((r) => setImmediate(r));
      return verdict;
    };
    return { observe, changes: () => changes };
  }

  it('tells the first failure of a streak at once (before the threshold), then not again until five minutes pass or it passes', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const fail = { ok: false, message: 'not ready yet\n' };
    const { observe, changes } = tracked([fail, fail, fail, { ok: true, message: '' }, fail]);
    await observe();
    expect(changes()).toBe(1);
    const first = await observe();
    expect(first.failures).toEqual([{ kind: 'readiness', message: 'not ready yet\n' }]);
    expect(unhealthyMessage(first.failures[0])).toBe('Readiness probe failed: not ready yet\n');
    jest.advanceTimersByTime(1000);
    await observe();
    expect((await observe()).failures).toEqual([]);
    jest.advanceTimersByTime(UNHEALTHY_REPEAT_MS);
    await observe();
    expect((await observe()).failures).toEqual([{ kind: 'readiness', message: 'not ready yet\n' }]);
    // A pass ends the streak: the next failure is told at once.
    jest.advanceTimersByTime(1000);
    await observe();
    jest.advanceTimersByTime(1000);
    await observe();
    expect((await observe()).failures).toEqual([{ kind: 'readiness', message: 'not ready yet\n' }]);
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
