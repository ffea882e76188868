import { parseCrxSteps, podStartSteps } from './crx-step-log';

const line = (o: object) => JSON.stringify({ level: 'info', service: 'crx-runtime', msg: 'crx step timed', ...o });

describe('the crx-runtime step log', () => {
  const log = [
    line({ time: '2026-12-01T00:00:00.010Z', op: 'runPodSandbox', ms: 4, pod: 'bench/p-1', id: 'sb1' }),
    JSON.stringify({ time: '2026-12-01T00:00:00.011Z', msg: 'ready' }),
    line({ time: '2026-12-01T00:00:00.020Z', op: 'createContainer', ms: 2, sandboxId: 'sb1', id: 'c1' }),
    line({ time: '2026-12-01T00:00:00.030Z', op: 'startContainer', ms: 6, containerId: 'c1' }),
    line({ time: '2026-12-01T00:00:00.040Z', op: 'runPodSandbox', ms: 3, pod: 'bench/p-2', id: 'sb2' }),
    '{"time":"2026-12-01T00:00:00.050Z","msg":"crx step timed","op":"createCont',
  ].join('\n');

  it('joins a pod\'s sandbox, container create and start into its runtime start time', () => {
    expect(podStartSteps(parseCrxSteps(log), 'bench/p-1')).toEqual({ sandboxMs: 4, createMs: 2, startMs: 6, totalMs: 12, spanMs: 24 });
  });

  it('has nothing for a pod whose steps are not all logged, and skips a cut line', () => {
    const steps = parseCrxSteps(log);
    expect(steps).toHaveLength(4);
    expect(podStartSteps(steps, 'bench/p-2')).toBeUndefined();
    expect(podStartSteps(steps, 'bench/none')).toBeUndefined();
  });
});
