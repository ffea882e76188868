import { ResourceConversion } from '../resource-definition';

export const AUTOSCALING_GROUP = 'autoscaling';
export const HPA_STORAGE_VERSION = 'v2';

/**
 * What autoscaling/v1 cannot express, kept in annotations of the v1 object as kube-apiserver keeps it (its
 * `autoscaling.alpha.kubernetes.io/*` annotations; here the metrics are in their v2 shape), so a v1 client's
 * read-modify-write gives them back.
 */
export const HPA_V1_ANNOTATIONS = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
} as const;

const isCpuUtilization = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization' && m.resource.target.averageUtilization !== undefined;

export function cpuUtilizationMetric(averageUtilization: number): any {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } };
}

function defined(o: Record<string, unknown>): Record<string, any> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function toV1(hpa: any): any {
  const spec = hpa.spec ?? {};
  const status = hpa.status;
  const metrics: any[] = spec.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  const currentMetrics: any[] = status?.currentMetrics ?? [];
  const currentCpu = currentMetrics.find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.current?.averageUtilization !== undefined);
  const otherCurrent = currentMetrics.filter((m) => m !== currentCpu);
  const kept = defined({
    [HPA_V1_ANNOTATIONS.metrics]: others.length ? JSON.stringify(others) : undefined,
    [HPA_V1_ANNOTATIONS.currentMetrics]: otherCurrent.length ? JSON.stringify(otherCurrent) : undefined,
    [HPA_V1_ANNOTATIONS.conditions]: status?.conditions?.length ? JSON.stringify(status.conditions) : undefined,
    [HPA_V1_ANNOTATIONS.behavior]: spec.behavior ? JSON.stringify(spec.behavior) : undefined,
  });
  const annotations = { ...(hpa.metadata?.annotations ?? {}), ...kept };
  const metadata = { ...hpa.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) };
  const out: any = {
    apiVersion: `${AUTOSCALING_GROUP}/v1`,
    kind: hpa.kind,
    metadata,
    spec: defined({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, targetCPUUtilizationPercentage: cpu?.resource.target.averageUtilization }),
  };
  if (status) {
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: currentCpu?.resource.current.averageUtilization,
    });
  }
  return out;
}

function parsed(annotations: Record<string, string>, key: string): any {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function fromV1(hpa: any): any {
  const annotations: Record<string, string> = { ...(hpa.metadata?.annotations ?? {}) };
  const others = parsed(annotations, HPA_V1_ANNOTATIONS.metrics);
  const otherCurrent = parsed(annotations, HPA_V1_ANNOTATIONS.currentMetrics);
  const conditions = parsed(annotations, HPA_V1_ANNOTATIONS.conditions);
  const behavior = parsed(annotations, HPA_V1_ANNOTATIONS.behavior);
  for (const key of Object.values(HPA_V1_ANNOTATIONS)) delete annotations[key];
  const metadata = { ...hpa.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  const spec = hpa.spec ?? {};
  const cpu = spec.targetCPUUtilizationPercentage;
  const metrics = [...(cpu !== undefined ? [cpuUtilizationMetric(cpu)] : []), ...(Array.isArray(others) ? others : [])];
  const out: any = {
    apiVersion: `${AUTOSCALING_GROUP}/${HPA_STORAGE_VERSION}`,
    kind: hpa.kind,
    metadata,
    spec: defined({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics: metrics.length ? metrics : undefined, behavior }),
  };
  const status = hpa.status;
  if (status) {
    const current = status.currentCPUUtilizationPercentage;
    const currentMetrics = [
      ...(current !== undefined ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }] : []),
      ...(Array.isArray(otherCurrent) ? otherCurrent : []),
    ];
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
      currentMetrics: currentMetrics.length ? currentMetrics : undefined,
      conditions: Array.isArray(conditions) ? conditions : undefined,
    });
  }
  return structuredClone(out);
}

/** autoscaling/v1 ⇄ v2 (storage), as kube-apiserver converts them. */
export const hpaConversion: ResourceConversion = {
  toStorage(obj, fromVersion) {
    if (fromVersion === 'v1') return fromV1(obj);
    return { ...structuredClone(obj), apiVersion: `${AUTOSCALING_GROUP}/${HPA_STORAGE_VERSION}` };
  },
  fromStorage(obj, toVersion) {
    if (toVersion === 'v1') return structuredClone(toV1(obj));
    return { ...structuredClone(obj), apiVersion: `${AUTOSCALING_GROUP}/${toVersion}` };
  },
};
