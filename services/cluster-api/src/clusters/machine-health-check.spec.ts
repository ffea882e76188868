import { ClusterState, healthCheck, healthCheckPaused, healthConditions, HealthTarget, machineVerdict, remediationAsked, skipsRemediation } from './machine-health-check';
import { LABELS } from './objects';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const up: ClusterState = { infrastructureReady: true, controlPlaneInitialized: true };
const machine = (name: string, opts: { createdSecondsAgo?: number; controlPlane?: boolean; conditions?: any[] } = {}) => ({
  metadata: { name, uid: `uid-${name}`, creationTimestamp: ago(opts.createdSecondsAgo ?? 3600), labels: opts.controlPlane ? { [LABELS.controlPlane]: '' } : {} },
  status: { conditions: opts.conditions ?? [] },
});
const node = (...conditions: any[]) => ({ conditions });
const mhc = (spec: any = {}) => ({ metadata: { name: 'mhc' }, spec: { clusterName: 'c1', unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '5m' }, { type: 'KernelDeadlock', status: 'True', timeout: '30s' }], ...spec } });

describe('a MachineHealthCheck judging one machine by its node in the guest', () => {
  it('finds it unhealthy once a node condition has had the status the check names for longer than its timeout', () => {
    const v = machineVerdict({ machine: machine('m'), node: node({ type: 'Ready', status: 'True', lastTransitionTime: ago(900) }, { type: 'KernelDeadlock', status: 'True', lastTransitionTime: ago(31) }) }, mhc(), up, NOW);
    expect(v).toEqual({ health: 'unhealthy', reason: 'UnhealthyNode', message: 'Condition KernelDeadlock on node is reporting status True for more than 30s' });
    const ready = machineVerdict({ machine: machine('m'), node: node({ type: 'Ready', status: 'Unknown', lastTransitionTime: ago(301) }) }, mhc(), up, NOW);
    expect(ready).toEqual({ health: 'unhealthy', reason: 'UnhealthyNode', message: 'Condition Ready on node is reporting status Unknown for more than 5m0s' });
  });

  it('waits while the condition is younger than its timeout, and calls it healthy when the status differs or the condition is absent', () => {
    expect(machineVerdict({ machine: machine('m'), node: node({ type: 'KernelDeadlock', status: 'True', lastTransitionTime: ago(10) }) }, mhc(), up, NOW)).toEqual({ health: 'unknown', nextCheckMs: 21_000 });
    expect(machineVerdict({ machine: machine('m'), node: node({ type: 'KernelDeadlock', status: 'False', lastTransitionTime: ago(900) }, { type: 'Ready', status: 'False', lastTransitionTime: ago(900) }) }, mhc(), up, NOW)).toEqual({ health: 'healthy' });
    expect(machineVerdict({ machine: machine('m'), node: node() }, mhc(), up, NOW)).toEqual({ health: 'healthy' });
    // A condition without a transition time has held since ever.
    expect(machineVerdict({ machine: machine('m'), node: node({ type: 'KernelDeadlock', status: 'True' }) }, mhc(), up, NOW)).toMatchObject({ health: 'unhealthy', reason: 'UnhealthyNode' });
  });

  it('finds a machine whose node is gone from the guest unhealthy at once (NodeNotFound), whatever its cluster waits for', () => {
    expect(machineVerdict({ machine: machine('m'), node: 'missing' }, mhc(), { infrastructureReady: false, controlPlaneInitialized: false }, NOW)).toEqual({ health: 'unhealthy', reason: 'NodeNotFound', message: '' });
  });

  it('gives a machine without a node nodeStartupTimeout from the latest of its creation, its infrastructure and its cluster getting ready', () => {
    const check = mhc({ nodeStartupTimeout: '10m' });
    expect(machineVerdict({ machine: machine('m', { createdSecondsAgo: 601 }) }, check, up, NOW)).toEqual({ health: 'unhealthy', reason: 'NodeStartupTimeout', message: 'Node failed to report startup in 10m0s' });
    expect(machineVerdict({ machine: machine('m', { createdSecondsAgo: 599 }) }, check, up, NOW)).toEqual({ health: 'unknown', nextCheckMs: 2000 });
    const late = machine('m', { createdSecondsAgo: 900, conditions: [{ type: 'InfrastructureReady', status: 'True', lastTransitionTime: ago(300) }] });
    expect(machineVerdict({ machine: late }, check, up, NOW)).toEqual({ health: 'unknown', nextCheckMs: 301_000 });
    expect(machineVerdict({ machine: machine('m', { createdSecondsAgo: 900 }) }, check, { ...up, infrastructureReadyAt: NOW - 60_000 }, NOW)).toEqual({ health: 'unknown', nextCheckMs: 541_000 });
    // Ten minutes by default; zero turns it off.
    expect(machineVerdict({ machine: machine('m', { createdSecondsAgo: 601 }) }, mhc(), up, NOW)).toMatchObject({ health: 'unhealthy', reason: 'NodeStartupTimeout' });
    expect(machineVerdict({ machine: machine('m', { createdSecondsAgo: 86_400 }) }, mhc({ nodeStartupTimeout: '0s' }), up, NOW)).toEqual({ health: 'unknown' });
    expect(machineVerdict({ machine: machine('m', { createdSecondsAgo: 86_400 }) }, mhc({ nodeStartupTimeout: '0' }), up, NOW)).toEqual({ health: 'unknown' });
  });

  it('judges no worker before the control plane is initialized and no machine before the cluster infrastructure is ready', () => {
    const stale: HealthTarget = { machine: machine('w', { createdSecondsAgo: 86_400 }) };
    expect(machineVerdict(stale, mhc(), { infrastructureReady: true, controlPlaneInitialized: false }, NOW)).toEqual({ health: 'unknown' });
    expect(machineVerdict({ machine: machine('cp', { createdSecondsAgo: 86_400, controlPlane: true }) }, mhc(), { infrastructureReady: true, controlPlaneInitialized: false }, NOW)).toMatchObject({ health: 'unhealthy', reason: 'NodeStartupTimeout' });
    expect(machineVerdict({ machine: machine('cp', { createdSecondsAgo: 86_400, controlPlane: true }) }, mhc(), { infrastructureReady: false, controlPlaneInitialized: true }, NOW)).toEqual({ health: 'unknown' });
  });
});

describe('a MachineHealthCheck over all its machines', () => {
  const sick = { type: 'KernelDeadlock', status: 'True', lastTransitionTime: ago(60) };
  const targets = (n: number, unhealthy: number, starting = 0): HealthTarget[] => [
    ...Array.from({ length: unhealthy }, (_, i) => ({ machine: machine(`sick-${i}`), node: node(sick) })),
    ...Array.from({ length: starting }, (_, i) => ({ machine: machine(`new-${i}`, { createdSecondsAgo: 5 }) })),
    ...Array.from({ length: n - unhealthy - starting }, (_, i) => ({ machine: machine(`ok-${i}`), node: node({ type: 'Ready', status: 'True', lastTransitionTime: ago(900) }) })),
  ];

  it('counts the healthy, allows remediation up to maxUnhealthy and lists its targets', () => {
    const out = healthCheck(mhc({ maxUnhealthy: '40%' }), targets(5, 2), up, NOW);
    expect(out.remediationAllowed).toBe(true);
    expect(out.status).toEqual({ expectedMachines: 5, currentHealthy: 3, remediationsAllowed: 0, targets: ['ok-0', 'ok-1', 'ok-2', 'sick-0', 'sick-1'], conditions: [expect.objectContaining({ type: 'RemediationAllowed', status: 'True' })] });
    expect(out.verdicts.get('uid-sick-1')).toMatchObject({ health: 'unhealthy' });
    expect(healthCheck(mhc(), targets(5, 2), up, NOW).status.remediationsAllowed).toBe(3);
  });

  it('remediates none when more machines are not healthy than maxUnhealthy allows, machines still starting counted', () => {
    const out = healthCheck(mhc({ maxUnhealthy: 2 }), targets(5, 2, 1), up, NOW);
    expect(out.remediationAllowed).toBe(false);
    expect(out.status).toMatchObject({ expectedMachines: 5, currentHealthy: 2, remediationsAllowed: 0 });
    expect(out.status.conditions).toEqual([
      expect.objectContaining({ type: 'RemediationAllowed', status: 'False', reason: 'TooManyUnhealthy', severity: 'Warning', message: 'Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: 5, unhealthy: 3, maxUnhealthy: 2)' }),
    ]);
    // The one still starting is looked at again when its nodeStartupTimeout runs out.
    expect(out.nextCheckMs).toBe(596_000);
  });
});

describe("a Machine's health conditions", () => {
  const unhealthy = { health: 'unhealthy' as const, reason: 'UnhealthyNode' as const, message: 'Condition Ready on node is reporting status Unknown for more than 5m0s' };

  it('say what the check found and ask the owner to remediate, which marks the machine for its owner', () => {
    const asked = healthConditions([], unhealthy, true);
    expect(asked).toEqual([
      expect.objectContaining({ type: 'HealthCheckSucceeded', status: 'False', reason: 'UnhealthyNode', severity: 'Warning', message: unhealthy.message }),
      expect.objectContaining({ type: 'OwnerRemediated', status: 'False', reason: 'WaitingForRemediation', severity: 'Warning' }),
    ]);
    expect(remediationAsked({ status: { conditions: asked } })).toBe(true);
    // Found unhealthy while remediation is not allowed: said, not asked.
    const held = healthConditions([], unhealthy, false);
    expect(held.map((c) => c.type)).toEqual(['HealthCheckSucceeded']);
    expect(remediationAsked({ status: { conditions: held } })).toBe(false);
  });

  it('leave a remediation under way to the owner, and stay as they were when the check judged nothing', () => {
    const underWay = [{ type: 'HealthCheckSucceeded', status: 'False', reason: 'UnhealthyNode' }, { type: 'OwnerRemediated', status: 'False', reason: 'RemediationInProgress' }];
    expect(healthConditions(underWay, unhealthy, true)[1]).toEqual(underWay[1]);
    expect(healthConditions(underWay, undefined)).toEqual(underWay);
    expect(healthConditions(underWay, { health: 'unknown' })).toEqual(underWay);
    // Healthy again: no longer asked, though OwnerRemediated stays.
    const healed = healthConditions(underWay, { health: 'healthy' }, true);
    expect(healed).toEqual([expect.objectContaining({ type: 'HealthCheckSucceeded', status: 'True' }), underWay[1]]);
    expect(remediationAsked({ status: { conditions: healed } })).toBe(false);
  });
});

describe('the annotations a MachineHealthCheck honours', () => {
  const annotated = (annotations: Record<string, string>) => ({ ...machine('m'), metadata: { ...machine('m').metadata, annotations } });

  it('marks a machine with cluster.x-k8s.io/remediate-machine for remediation at once, whatever its node says', () => {
    const m = annotated({ 'cluster.x-k8s.io/remediate-machine': '' });
    const healthyNode = node({ type: 'Ready', status: 'True', lastTransitionTime: ago(900) });
    const verdict = machineVerdict({ machine: m, node: healthyNode }, mhc(), { infrastructureReady: false, controlPlaneInitialized: false }, NOW);
    expect(verdict).toEqual({ health: 'unhealthy', reason: 'HasRemediateMachineAnnotation', message: 'Marked for remediation via remediate-machine annotation' });
    const outcome = healthCheck(mhc(), [{ machine: m, node: healthyNode }], up, NOW);
    const conditions = healthConditions([], outcome.verdicts.get('uid-m'), outcome.remediationAllowed);
    expect(conditions).toEqual([
      expect.objectContaining({ type: 'HealthCheckSucceeded', status: 'False', reason: 'HasRemediateMachineAnnotation', severity: 'Warning', message: 'Marked for remediation via remediate-machine annotation' }),
      expect.objectContaining({ type: 'OwnerRemediated', status: 'False', reason: 'WaitingForRemediation', severity: 'Warning' }),
    ]);
    expect(remediationAsked({ status: { conditions } })).toBe(true);
  });

  it('takes no machine with skip-remediation or paused as a target, and pauses with its Cluster or its own annotation', () => {
    expect(skipsRemediation(annotated({ 'cluster.x-k8s.io/skip-remediation': '' }))).toBe(true);
    expect(skipsRemediation(annotated({ 'cluster.x-k8s.io/paused': '' }))).toBe(true);
    expect(skipsRemediation(annotated({ other: '' }))).toBe(false);
    expect(healthCheckPaused(mhc(), { spec: { paused: true } })).toBe(true);
    expect(healthCheckPaused({ ...mhc(), metadata: { name: 'mhc', annotations: { 'cluster.x-k8s.io/paused': 'true' } } }, { spec: {} })).toBe(true);
    expect(healthCheckPaused(mhc(), { spec: { paused: false } })).toBe(false);
    expect(healthCheckPaused(mhc(), undefined)).toBe(false);
  });
});
