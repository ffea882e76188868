import { budgetStatus, coveredPods, DISRUPTION_TIMEOUT_MS, disruptionDeadline } from './disruption-logic';

const now = Date.parse('2026-12-03T12:00:00Z');
const pod = (name: string, { ready = true, labels = { app: 'web' }, deleting = false, phase = 'Running', ns = 'a' } = {}) => ({
  metadata: { name, namespace: ns, labels, ...(deleting ? { deletionTimestamp: 'x' } : {}) },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (spec: any, status?: any) => ({ metadata: { name: 'web', namespace: 'a', generation: 2 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, status });
const noController = () => undefined;

describe('the disruption controller\'s budget status', () => {
  it('covers the selector\'s pods of its namespace: none without a selector, all with an empty one', () => {
    const pods = [pod('w1'), pod('x', { labels: { app: 'x' } }), pod('w2', { ns: 'b' })];
    expect(coveredPods(pdb({}), pods).map((p) => p.metadata.name)).toEqual(['w1']);
    expect(coveredPods({ metadata: { namespace: 'a' }, spec: {} }, pods)).toEqual([]);
    expect(coveredPods({ metadata: { namespace: 'a' }, spec: { selector: {} } }, pods).map((p) => p.metadata.name)).toEqual(['w1', 'x']);
  });

  it('with an integer minAvailable: the pods themselves are expected, the healthy ones beyond it may go', () => {
    const status = budgetStatus(pdb({ minAvailable: 2 }), [pod('w1'), pod('w2'), pod('w3', { ready: false }), pod('w4', { phase: 'Succeeded' })], noController, now);
    expect(status).toMatchObject({ expectedPods: 3, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, observedGeneration: 2 });
    expect(status.conditions[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' });
  });

  it('with maxUnavailable or a percent: the replicas the controllers want, percents rounding up', () => {
    const scale = () => ({ key: 'deploy-1', replicas: 4 });
    expect(budgetStatus(pdb({ maxUnavailable: '25%' }), [pod('w1'), pod('w2'), pod('w3')], scale, now)).toMatchObject({ expectedPods: 4, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
    expect(budgetStatus(pdb({ maxUnavailable: 1 }), [pod('w1'), pod('w2'), pod('w3'), pod('w4')], scale, now)).toMatchObject({ desiredHealthy: 3, disruptionsAllowed: 1 });
    expect(budgetStatus(pdb({ minAvailable: '50%' }), [pod('w1'), pod('w2'), pod('w3')], scale, now)).toMatchObject({ expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 1 });
  });

  it('counts a pod an eviction took as disrupted until it is gone or the timeout passes', () => {
    const taken = new Date(now - 1000).toISOString();
    const status = budgetStatus(pdb({ minAvailable: 1 }, { disruptedPods: { w1: taken, gone: taken } }), [pod('w1'), pod('w2'), pod('w3')], noController, now);
    expect(status).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1, disruptedPods: { w1: taken } });
    expect(disruptionDeadline(status)).toBe(Date.parse(taken) + DISRUPTION_TIMEOUT_MS);
    const late = budgetStatus(pdb({ minAvailable: 1 }, { disruptedPods: { w1: new Date(now - DISRUPTION_TIMEOUT_MS - 1).toISOString() } }), [pod('w1')], noController, now);
    expect(late.disruptedPods).toBeUndefined();
    expect(late.currentHealthy).toBe(1);
  });
});
