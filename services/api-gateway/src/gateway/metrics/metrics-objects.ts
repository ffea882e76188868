import { cpuQuantity, goDuration, HostMetrics, memoryQuantity, METRICS_GROUP, METRICS_VERSION, UsageSample, rfc3339 } from '@openpacific/contracts';
import type { PodMetricsReading } from '@openpacific/messaging';

const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** A time as metav1.Time writes it: RFC 3339 to the second. */
const seconds = (iso: string): string => rfc3339(Date.parse(iso));

const usage = (u: UsageSample) => ({ cpu: cpuQuantity(u.cpuNanoCores), memory: memoryQuantity(u.memoryBytes) });

/**
 * A pod's latest sample as metrics-server's PodMetrics: named and labelled as the pod (`pod`, from the read model) is,
 * made now (metrics-server's objects are made for each answer). Undefined when the pod is gone or is another pod of
 * that name now (the sample was of the one before).
 */
export function podMetricsObject(reading: PodMetricsReading, pod: any, now: string): any {
  if (!pod || (pod.metadata.uid && pod.metadata.uid !== reading.uid)) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: { name: reading.name, namespace: reading.namespace, creationTimestamp: now, labels: pod.metadata.labels ?? {} },
    timestamp: seconds(reading.timestamp),
    window: goDuration(reading.windowSeconds),
    containers: reading.containers.map((c) => ({ name: c.name, usage: usage(c) })),
  };
}

/** A host's latest sample as metrics-server's NodeMetrics, labelled as its Node (`host`, the stored Host). Undefined for a host that is gone. */
export function nodeMetricsObject(sample: HostMetrics, host: any, now: string): any {
  if (!host) return undefined;
  return {
    kind: 'NodeMetrics',
    apiVersion: API_VERSION,
    metadata: { name: sample.host, creationTimestamp: now, labels: host.metadata.labels ?? {} },
    timestamp: seconds(sample.timestamp),
    window: goDuration(sample.windowSeconds),
    usage: usage(sample.node),
  };
}
