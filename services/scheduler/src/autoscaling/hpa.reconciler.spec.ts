import { reconcileHpa, type HpaWorld } from './hpa.reconciler';
import { ScalingHistory } from './scaling-history';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const hpa = (spec: any = {}) => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default', uid: 'u1', generation: 2 },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }], ...spec },
});
const pod = (name: string, cpu = '100m') => ({
  metadata: { name, uid: name },
  spec: { containers: [{ name: 'app', resources: cpu ? { requests: { cpu } } : {} }] },
  status: { phase: 'Running', startTime: '2026-06-01T10:00:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-06-01T10:00:00Z' }] },
});
const reading = (name: string, millicores: number) => ({ namespace: 'default', name, uid: name, containers: [{ name: 'app', cpuNanoCores: millicores * 1e6, memoryBytes: 1 }], host: 'h', timestamp: new Date(NOW).toISOString(), windowSeconds: 1 });
const world = (over: Partial<HpaWorld>): HpaWorld => ({ hpa: hpa(), scale: { replicas: 1, selector: { matchLabels: { app: 'web' } } }, pods: [pod('a')], readings: [reading('a', 90)], history: new ScalingHistory(), now: NOW, ...over });
const conditions = (status: any) => Object.fromEntries(status.conditions.map((c: any) => [c.type, `${c.status} ${c.reason}`]));

describe('one sync of an HPA', () => {
  it('scales a busy target up to its maximum, with the Event, status and conditions kube-controller-manager writes', () => {
    const d = reconcileHpa(world({ readings: [reading('a', 400)] }));
    expect(d.scaleTo).toBe(3);
    expect(d.events).toEqual([{ type: 'Normal', reason: 'SuccessfulRescale', message: 'New size: 3; reason: cpu resource utilization (percentage of request) above target' }]);
    expect(d.status).toMatchObject({
      currentReplicas: 1, desiredReplicas: 3, observedGeneration: 2, lastScaleTime: '2026-06-01T12:00:00Z',
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 400, averageValue: '400m' } } }],
    });
    expect(conditions(d.status)).toEqual({ AbleToScale: 'True SucceededRescale', ScalingActive: 'True ValidMetricFound', ScalingLimited: 'True TooManyReplicas' });
  });

  it('reports a pod without a CPU request as an invalid metric', () => {
    const d = reconcileHpa(world({ pods: [pod('a', '')] }));
    expect(d.scaleTo).toBeUndefined();
    expect(d.status.conditions.find((c: any) => c.type === 'ScalingActive')).toMatchObject({
      status: 'False', reason: 'FailedGetResourceMetric', message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod a',
    });
    expect(d.events.map((e) => e.reason)).toEqual(['FailedGetResourceMetric', 'FailedComputeMetricsReplicas']);
  });

  it('leaves a target scaled to zero alone', () => {
    const d = reconcileHpa(world({ scale: { replicas: 0, selector: { matchLabels: { app: 'web' } } } }));
    expect(d.scaleTo).toBeUndefined();
    expect(conditions(d.status).ScalingActive).toBe('False ScalingDisabled');
  });

  it('says when the target is missing', () => {
    const d = reconcileHpa(world({ scale: { error: 'deployments.apps "web" not found' } }));
    expect(d.events).toEqual([{ type: 'Warning', reason: 'FailedGetScale', message: 'deployments.apps "web" not found' }]);
    expect(d.status.conditions[0]).toMatchObject({ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale' });
  });

  it('fails Pods, Object and External metrics clearly: no custom or external metrics API', () => {
    const metrics = [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } }];
    const d = reconcileHpa(world({ hpa: hpa({ metrics }) }));
    expect(d.status.conditions.find((c: any) => c.type === 'ScalingActive')).toMatchObject({ status: 'False', reason: 'FailedGetPodsMetric' });
    expect(d.status.currentMetrics).toEqual([{ type: '' }]);
  });

  it('brings a target back within the bounds without reading metrics', () => {
    const d = reconcileHpa(world({ scale: { replicas: 5, selector: { matchLabels: { app: 'web' } } }, readings: [] }));
    expect(d.scaleTo).toBe(3);
    expect(d.events[0].message).toBe('New size: 3; reason: Current number of replicas above Spec.MaxReplicas');
  });
});
