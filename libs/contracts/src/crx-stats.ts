/**
 * `containerStats` (crx.ts): the cumulative resource usage of a host's running containers, as CRI's
 * ListContainerStats gives kubelet. Request `ContainerStatsRequest`, reply `ContainerStatsResponse`. The runtime
 * reports counters; its caller (the agent) turns two readings into rates, as cAdvisor and metrics-server do.
 */
export interface ContainerStatsRequest {
  /** Only these containers; every running container without it. */
  containerIds?: string[];
}

/** What a set of processes has used so far, read at `timestamp` (ms since the epoch, the host's clock). */
export interface ProcessUsage {
  /** CPU time since they started, in nanoseconds (cumulative: user and system, every CPU). */
  cpuUsageCoreNanoSeconds: number;
  /** Working set in bytes: memory in use less what the kernel can take back at once (inactive file pages). */
  memoryWorkingSetBytes: number;
  timestamp: number;
}

export interface ContainerStats extends ProcessUsage {
  id: string;
  /** The container's name in its pod. */
  name: string;
  sandboxId: string;
  /** The pod it belongs to (its sandbox's config), so one request tells the caller everything it reports. */
  pod: { namespace: string; name: string; uid: string };
  /** When the container started (RFC 3339, its status's `startedAt`): where its cumulative CPU counts from. */
  startedAt?: string;
}

export interface ContainerStatsResponse {
  /** The running containers asked for (an unknown or stopped one is left out). */
  items: ContainerStats[];
  /** The runtime's own process, for the host's figure. */
  runtime: ProcessUsage;
}

/** Nothing used: what a runtime without processes (the sim drivers) reports of its containers. */
export const NO_USAGE = { cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 } as const;

/** A running container's stats: who it is (its status and its sandbox's config) and what it used, read at `timestamp`. */
export function containerStatsOf(
  container: { id: string; name: string; sandboxId: string; startedAt?: string },
  sandbox: { podNamespace: string; podName: string; podUid: string },
  usage: Omit<ProcessUsage, 'timestamp'>,
  timestamp: number,
): ContainerStats {
  const { id, name, sandboxId, startedAt } = container;
  const pod = { namespace: sandbox.podNamespace, name: sandbox.podName, uid: sandbox.podUid };
  return { id, name, sandboxId, pod, ...usage, timestamp, ...(startedAt ? { startedAt } : {}) };
}
