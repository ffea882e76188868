import type { PodMetricsReading } from '@openpacific/messaging';
import { milliValue } from '@openpacific/kube-api';
import { MetricError, type PodMetric, type ResourceReplicas, resourceAverageValueReplicas, resourceUtilizationReplicas } from './replica-calculator';

/**
 * One metric of an HPA's spec turned into a replica proposal and its status (computeReplicasForMetric), from the
 * target's pods and the hosts' latest samples. Pods, Object and External metrics need a custom or external
 * metrics API, which OpenPacific does not serve: they fail as they do in a cluster without a metrics adapter.
 */
export interface MetricProposal {
  replicas: number;
  /** How the rescale reason names it (`cpu resource utilization (percentage of request)`). */
  name: string;
  status: any;
}

export interface MetricFailure {
  /** The ScalingActive reason and the Event's (`FailedGetResourceMetric`). */
  reason: string;
  /** The Event's message. */
  message: string;
  /** The error computeReplicasForMetrics reports (its FailedComputeMetricsReplicas Event). */
  error: string;
}

export interface MetricContext {
  currentReplicas: number;
  pods: any[];
  /** The samples of the pods of the HPA's namespace. */
  readings: PodMetricsReading[];
  now: number;
}

/** Milli-units as a Kubernetes quantity prints them (`73m`, `2`, `1500m`, `128M`). */
export function milliQuantity(milli: number): string {
  if (milli % 1000 !== 0) return `${milli}m`;
  let value = milli / 1000;
  for (const suffix of ['', 'k', 'M', 'G', 'T', 'P']) {
    if (value % 1000 !== 0 || value === 0 || suffix === 'P') return `${value}${suffix}`;
    value /= 1000;
  }
  return String(value);
}

/** Each selected pod's usage of `resource` (of one container, or summed) in milli-units, as the resource metrics API gives it. */
function podMetrics(ctx: MetricContext, resource: string, namespaceName: string, container?: string): Map<string, PodMetric> {
  const byName = new Map(ctx.readings.map((r) => [r.name, r]));
  const out = new Map<string, PodMetric>();
  const usage = (c: { cpuNanoCores: number; memoryBytes: number }) => (resource === 'cpu' ? Math.ceil(c.cpuNanoCores / 1e6) : c.memoryBytes * 1000);
  if (resource === 'cpu' || resource === 'memory') {
    for (const pod of ctx.pods) {
      const reading = byName.get(pod.metadata.name);
      if (!reading || (reading.uid && pod.metadata.uid && reading.uid !== pod.metadata.uid)) continue;
      const containers = container ? reading.containers.filter((c) => c.name === container) : reading.containers;
      if (container && containers.length === 0) throw new MetricError(`container ${container} not present in metrics for pod ${namespaceName}/${pod.metadata.name}`);
      const value = containers.reduce((sum, c) => sum + usage(c), 0);
      out.set(pod.metadata.name, { value, timestamp: Date.parse(reading.timestamp), windowMs: reading.windowSeconds * 1000 });
    }
  }
  if (out.size === 0) throw new MetricError(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  return out;
}

function resourceProposal(spec: any, ctx: MetricContext, namespace: string, container?: string): MetricProposal {
  const { name, target } = spec;
  const what = container ? `${name} container resource` : `${name} resource`;
  const at = (current: any) => (container ? { type: 'ContainerResource', containerResource: { name, container, current } } : { type: 'Resource', resource: { name, current } });
  const input = (metrics: Map<string, PodMetric>) => ({ currentReplicas: ctx.currentReplicas, resource: name, container, pods: ctx.pods, metrics, now: ctx.now });
  if (target?.averageValue !== undefined) {
    const result = wrapped(`failed to get ${name} usage`, () => resourceAverageValueReplicas(input(podMetrics(ctx, name, namespace, container)), milliValue(target.averageValue) ?? 0));
    return { replicas: result.replicas, name: what, status: at({ averageValue: milliQuantity(result.rawAverage) }) };
  }
  const result = wrapped(`failed to get ${name} utilization`, () => resourceUtilizationReplicas(input(podMetrics(ctx, name, namespace, container)), target?.averageUtilization));
  return { replicas: result.replicas, name: `${what} utilization (percentage of request)`, status: at({ averageUtilization: result.utilization, averageValue: milliQuantity(result.rawAverage) }) };
}

function wrapped(prefix: string, compute: () => ResourceReplicas): ResourceReplicas {
  try {
    return compute();
  } catch (err) {
    if (err instanceof MetricError) throw new MetricError(`${prefix}: ${err.message}`);
    throw err;
  }
}

const CUSTOM_METRICS_MISSING = 'unable to fetch metrics from custom metrics API: the server could not find the metric';
const EXTERNAL_METRICS_MISSING = 'unable to fetch metrics from external metrics API: the server could not find the requested resource';

/** A proposal for the metric, or why there is none. */
export function proposeFor(spec: any, ctx: MetricContext, namespace: string): MetricProposal | MetricFailure {
  try {
    switch (spec?.type) {
      case 'Resource':
        return resourceProposal(spec.resource, ctx, namespace);
      case 'ContainerResource':
        return resourceProposal(spec.containerResource, ctx, namespace, spec.containerResource.container);
      default:
        break;
    }
  } catch (err) {
    if (!(err instanceof MetricError)) throw err;
    const container = spec.type === 'ContainerResource';
    const source = container ? spec.containerResource : spec.resource;
    const reason = container ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric';
    const outer = container ? `failed to get ${source.container} container metric value` : `failed to get ${source.name} resource metric value`;
    return { reason, message: err.message, error: `${outer}: ${err.message}` };
  }
  switch (spec?.type) {
    case 'Pods': {
      const message = `unable to get metric ${spec.pods?.metric?.name}: ${CUSTOM_METRICS_MISSING} ${spec.pods?.metric?.name} for pods`;
      return { reason: 'FailedGetPodsMetric', message, error: `failed to get pods metric value: ${message}` };
    }
    case 'Object': {
      const o = spec.object;
      const message = `unable to get metric ${o?.metric?.name}: ${o?.describedObject?.kind} on ${namespace} ${o?.describedObject?.name}/${CUSTOM_METRICS_MISSING} ${o?.metric?.name}`;
      return { reason: 'FailedGetObjectMetric', message, error: `failed to get object metric value: ${message}` };
    }
    case 'External': {
      const message = `unable to get external metric ${namespace}/${spec.external?.metric?.name}/${JSON.stringify(spec.external?.metric?.selector ?? {})}: ${EXTERNAL_METRICS_MISSING}`;
      return { reason: 'FailedGetExternalMetric', message, error: `failed to get external metric value: ${message}` };
    }
    default: {
      const message = `unknown metric source type "${spec?.type}"`;
      return { reason: 'InvalidMetricSourceType', message, error: message };
    }
  }
}

export function isFailure(p: MetricProposal | MetricFailure): p is MetricFailure {
  return 'reason' in p;
}
