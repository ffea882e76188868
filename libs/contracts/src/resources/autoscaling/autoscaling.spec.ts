import { hpaConversion, HPA_V1_ANNOTATIONS } from './hpa.conversion';
import { hpaTargets } from './hpa-columns';
import { completeBehavior } from './hpa-behavior';
import { horizontalPodAutoscalerResource } from './horizontalpodautoscaler.resource';

const v2 = (spec: any, status?: any) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec, ...(status ? { status } : {}) });
const cpu = (averageUtilization: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

describe('autoscaling/v1 and v2 HorizontalPodAutoscaler conversion', () => {
  it('shows a CPU utilization target as v1 targetCPUUtilizationPercentage and its current value', () => {
    const stored = v2({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, metrics: [cpu(50)] }, {
      currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 73, averageValue: '73m' } } }],
    });
    const v1 = hpaConversion.fromStorage(stored, 'v1');
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 });
    expect(v1.status).toEqual({ currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 73 });
    expect(v1.metadata.annotations).toBeUndefined();
  });

  it('turns a v1 target into a v2 Resource metric', () => {
    const v1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } };
    expect(hpaConversion.toStorage(v1, 'v1').spec).toEqual({ scaleTargetRef: ref, maxReplicas: 3, metrics: [cpu(50)] });
    const none = hpaConversion.toStorage({ ...v1, spec: { scaleTargetRef: ref, maxReplicas: 3 } }, 'v1');
    expect(none.spec.metrics).toBeUndefined();
  });

  it('keeps what v1 cannot express in annotations and gives it back on the way up', () => {
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
    const behavior = completeBehavior({ scaleDown: { stabilizationWindowSeconds: 0 } });
    const conditions = [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size', lastTransitionTime: '2026-01-01T00:00:00Z' }];
    const stored = v2({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, metrics: [memory, cpu(50)], behavior }, { currentReplicas: 1, desiredReplicas: 1, conditions });
    const v1 = hpaConversion.fromStorage(stored, 'v1');
    expect(JSON.parse(v1.metadata.annotations[HPA_V1_ANNOTATIONS.metrics])).toEqual([memory]);
    expect(JSON.parse(v1.metadata.annotations[HPA_V1_ANNOTATIONS.behavior])).toEqual(behavior);
    const back = hpaConversion.toStorage(v1, 'v1');
    expect(back.metadata.annotations).toBeUndefined();
    expect(back.spec).toEqual({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, metrics: [cpu(50), memory], behavior });
    expect(back.status.conditions).toEqual(conditions);
  });
});

describe('kubectl get hpa columns', () => {
  const cells = (hpa: any) => horizontalPodAutoscalerResource.versions[0].printerColumns.filter((c) => c.value).map((c) => c.value!(hpa));

  it('prints the reference, targets as kube-apiserver 1.32 does, min, max and replicas', () => {
    expect(cells(v2({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 3, metrics: [cpu(50)] }))).toEqual(['Deployment/web', 'cpu: <unknown>/50%', '1', 3, 0]);
    const status = { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12, averageValue: '12m' } } }] };
    expect(cells(v2({ scaleTargetRef: ref, maxReplicas: 3, metrics: [cpu(50)] }, status))).toEqual(['Deployment/web', 'cpu: 12%/50%', '<unset>', 3, 2]);
  });

  it('prints values, custom metrics and more than two metrics', () => {
    const metrics = [
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } },
      { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } },
    ];
    expect(hpaTargets(v2({ metrics }))).toBe('memory: <unknown>/100Mi, rps: <unknown>/10 + 1 more...');
    expect(hpaTargets(v2({ metrics: [metrics[2]] }))).toBe('queue: <unknown>/30');
    expect(hpaTargets(v2({}))).toBe('<none>');
  });
});
