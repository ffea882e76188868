import { rfc3339 } from '@openpacific/contracts';
import type { HostStats, UsageFigures } from './host-stats';

/** metav1.Time of a time that may be unknown: Go writes its zero time as `null`. */
const time = (at: number | undefined) => (at === undefined ? null : rfc3339(at));

/** kubelet's CPUStats: a rate only when there is one (`usageNanoCores` is omitted otherwise, as kubelet omits it). */
function cpuStats(u: UsageFigures) {
  return { time: rfc3339(u.at), ...(u.cpuNanoCores !== undefined ? { usageNanoCores: u.cpuNanoCores } : {}), usageCoreNanoSeconds: Math.round(u.cpuCoreNanoSeconds) };
}

/** kubelet's MemoryStats, with what is sampled: the working set (and what is left of a limit, where there is one). */
function memoryStats(u: UsageFigures & { availableBytes?: number }) {
  return { time: rfc3339(u.at), ...(u.availableBytes !== undefined ? { availableBytes: u.availableBytes } : {}), workingSetBytes: u.workingSetBytes };
}

/**
 * kubelet's Summary API (`/stats/summary`, k8s.io/kubelet stats/v1alpha1 `Summary`), fields in its order: the node's
 * name, start, CPU and memory, and each pod's reference, start, containers, CPU and memory. Network, filesystems,
 * volumes and swap are not sampled here and are left out, as kubelet leaves out what it has no figure for.
 */
export function statsSummary(stats: HostStats) {
  return {
    node: { nodeName: stats.nodeName, startTime: time(stats.startTime), cpu: cpuStats(stats.node), memory: memoryStats(stats.node) },
    pods: stats.pods.map((p) => ({
      podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
      startTime: time(p.startTime),
      containers: p.containers.map((c) => ({ name: c.name, startTime: time(c.startTime), cpu: cpuStats(c), memory: memoryStats(c) })),
      cpu: cpuStats(p.usage),
      memory: memoryStats(p.usage),
    })),
  };
}
