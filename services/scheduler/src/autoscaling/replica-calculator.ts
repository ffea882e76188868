import { milliValue } from '@openpacific/kube-api';

/**
 * kube-controller-manager's replica calculation for a resource metric (ReplicaCalculator.GetResourceReplicas):
 * the usage of the target's pods against their requests, within a tolerance of 10 %, with pods that have no
 * sample counted at 0 % on a scale-up and 100 % on a scale-down, and not-yet-ready pods at 0 % on a CPU scale-up.
 */
export const TOLERANCE = 0.1;
/** A pod's CPU within this long of its start may still be warming up (--horizontal-pod-autoscaler-cpu-initialization-period). */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** A pod not ready within this long of its start has never been ready (--horizontal-pod-autoscaler-initial-readiness-delay). */
export const INITIAL_READINESS_DELAY_MS = 30_000;

/** A pod's usage of one resource in milli-units (millicores, millibytes), from a sample ending at `timestamp`. */
export interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

export interface ResourceReplicasInput {
  currentReplicas: number;
  resource: string;
  /** One container's usage and requests only (a ContainerResource metric). */
  container?: string;
  /** The target's pods (its selector's, in its namespace). */
  pods: any[];
  /** Samples by pod name. */
  metrics: Map<string, PodMetric>;
  now: number;
}

export interface ResourceReplicas {
  replicas: number;
  /** Percent of the requests (what a Utilization target compares). */
  utilization: number;
  /** Average usage per pod in milli-units. */
  rawAverage: number;
  timestamp: number;
}

export class MetricError extends Error {}

function readyCondition(pod: any): any {
  return (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
}

/** Whether a pod's CPU sample is left out as not ready (groupPods). */
function unreadyForCpu(pod: any, metric: PodMetric, now: number): boolean {
  const condition = readyCondition(pod);
  const start = Date.parse(pod.status?.startTime ?? '');
  if (!condition || Number.isNaN(start)) return true;
  const transition = Date.parse(condition.lastTransitionTime ?? '') || 0;
  if (start + CPU_INITIALIZATION_PERIOD_MS > now) return condition.status === 'False' || metric.timestamp < transition + metric.windowMs;
  return condition.status === 'False' && start + INITIAL_READINESS_DELAY_MS > transition;
}

interface Groups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

function groupPods(pods: any[], metrics: Map<string, PodMetric>, resource: string, now: number): Groups {
  const groups: Groups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') groups.ignored.add(name);
    else if (pod.status?.phase === 'Pending' || !pod.status?.phase) groups.unready.add(name);
    else if (!metrics.has(name)) groups.missing.add(name);
    else if (resource === 'cpu' && unreadyForCpu(pod, metrics.get(name)!, now)) groups.unready.add(name);
    else groups.readyCount++;
  }
  return groups;
}

/** Each pod's request of the resource in milli-units (of one container, or summed); a container without one makes the metric invalid. */
export function podRequests(pods: any[], resource: string, container?: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always')];
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const request = c.resources?.requests?.[resource];
      if (request === undefined) throw new MetricError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += milliValue(request) ?? 0;
    }
    requests.set(pod.metadata.name, sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio: usage over requests of the pods with both. */
function utilizationRatio(metrics: Map<string, number>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; rawAverage: number } {
  let usage = 0;
  let requested = 0;
  let entries = 0;
  for (const [name, value] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    usage += value;
    requested += request;
    entries++;
  }
  if (requested === 0) throw new MetricError('no metrics returned matched known pods');
  const utilization = Math.trunc((usage * 100) / requested);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(usage / entries) };
}

const within = (ratio: number) => Math.abs(1 - ratio) <= TOLERANCE;

/** The replicas a Utilization target asks for. */
export function resourceUtilizationReplicas(input: ResourceReplicasInput, targetUtilization: number): ResourceReplicas {
  let requests: Map<string, number> | undefined;
  return calculate(input, {
    // The requests are read once there are readings: without any, the missing readings are the error.
    ratio: (values) => utilizationRatio(values, (requests ??= podRequests(input.pods, input.resource, input.container)), targetUtilization),
    fallback: (name) => Math.trunc(((requests?.get(name) ?? 0) * Math.max(100, targetUtilization)) / 100),
  });
}

/** The replicas an AverageValue target (milli-units per pod) asks for (GetRawResourceReplicas: usage only, no requests). */
export function resourceAverageValueReplicas(input: ResourceReplicasInput, targetAverage: number): ResourceReplicas {
  return calculate(input, {
    ratio: (values) => {
      const usage = [...values.values()].reduce((a, b) => a + b, 0);
      const rawAverage = Math.trunc(usage / values.size);
      return { ratio: usage / values.size / targetAverage, utilization: 0, rawAverage };
    },
    fallback: () => targetAverage,
  });
}

function readings(metrics: Map<string, PodMetric>, groups: Groups): Map<string, number> {
  const values = new Map<string, number>();
  for (const [name, m] of metrics) if (!groups.ignored.has(name) && !groups.unready.has(name)) values.set(name, m.value);
  return values;
}

function latest(metrics: Map<string, PodMetric>): number {
  let at = 0;
  for (const m of metrics.values()) at = Math.max(at, m.timestamp);
  return at;
}

interface Measure {
  ratio(values: Map<string, number>): { ratio: number; utilization: number; rawAverage: number };
  /** What a pod without a sample counts as on a scale-down. */
  fallback(name: string): number;
}

function calculate(input: ResourceReplicasInput, measure: Measure): ResourceReplicas {
  const { pods, metrics, currentReplicas, now, resource } = input;
  if (pods.length === 0) throw new MetricError('no pods returned by selector while calculating replica count');
  const groups = groupPods(pods, metrics, resource, now);
  const values = readings(metrics, groups);
  if (values.size === 0) throw new MetricError('did not receive metrics for targeted pods (pods might be unready)');
  const first = measure.ratio(values);
  const timestamp = latest(metrics);
  const result = (replicas: number) => ({ replicas, utilization: first.utilization, rawAverage: first.rawAverage, timestamp });
  const scaleUpWithUnready = groups.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    return result(within(first.ratio) ? currentReplicas : Math.ceil(first.ratio * groups.readyCount));
  }
  if (first.ratio < 1) for (const name of groups.missing) values.set(name, measure.fallback(name));
  else for (const name of groups.missing) values.set(name, 0);
  if (scaleUpWithUnready) for (const name of groups.unready) values.set(name, 0);
  const next = measure.ratio(values);
  if (within(next.ratio) || (first.ratio < 1 && next.ratio > 1) || (first.ratio > 1 && next.ratio < 1)) return result(currentReplicas);
  const replicas = Math.ceil(next.ratio * values.size);
  if ((next.ratio < 1 && replicas > currentReplicas) || (next.ratio > 1 && replicas < currentReplicas)) return result(currentReplicas);
  return result(replicas);
}
