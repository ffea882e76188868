import type { ContainerStats, HostMetrics, PodMetricsSample, ProcessUsage } from '@openpacific/contracts';

/** One reading of a host's counters: its running containers, and the runtime's and agent's own processes where they run. */
export interface HostUsageReading {
  /** When it was taken (ms since the epoch): the end of the window it closes. */
  timestamp: number;
  items: ContainerStats[];
  runtime?: ProcessUsage;
  agent?: ProcessUsage;
}

/**
 * A host's latest reading and what it makes, for the host's own kubelet API (stats/summary, metrics/resource): each
 * counter's CPU rate over the window the reading closed, and the host's CPU since its first reading.
 */
export interface HostUsageSnapshot {
  reading: HostUsageReading;
  /** By container id: its CPU rate in nanocores over the window, undefined for a container seen for the first time. */
  containerCpuNanoCores: Map<string, number | undefined>;
  /** The host's figure of the sample the reading made (the one metrics.k8s.io serves), if it made one. */
  node?: HostMetrics['node'];
  /**
   * CPU nanoseconds the host's processes used since `since`, a counter that never goes back however its containers
   * come and go (as the root cgroup's does): each counter's growth since the reading before, or all of it when new.
   */
  nodeCpuCoreNanoSeconds: number;
  /**
   * By pod uid: CPU nanoseconds its containers used since the pod was first read, a counter that never goes back as
   * they restart (as the pod's cgroup's does), for as long as the pod has a running container.
   */
  podCpuCoreNanoSeconds: Map<string, number>;
  /** When the first reading was taken (ms since the epoch): where `nodeCpuCoreNanoSeconds` counts from. */
  since: number;
}

/**
 * CPU as a rate in nanocores between two readings of a cumulative counter (1e9: one core busy the whole time).
 * Undefined without an earlier reading, or when the counter went back (the processes it counted were replaced).
 */
export function cpuRate(previous: ProcessUsage | undefined, current: ProcessUsage): number | undefined {
  if (!previous) return undefined;
  const ms = current.timestamp - previous.timestamp;
  const nanos = current.cpuUsageCoreNanoSeconds - previous.cpuUsageCoreNanoSeconds;
  if (ms <= 0 || nanos < 0) return undefined;
  return Math.round((nanos / ms) * 1e3);
}

/**
 * Turns a host's successive readings into `HostMetrics` samples, as metrics-server turns two scrapes of kubelet's
 * cumulative counters into rates: each container's CPU over the time between its two readings, its memory as read
 * last. A container seen for the first time (just started, or restarted: a new container) has no rate yet, and its
 * pod is left out of that sample (as metrics-server leaves out a pod it cannot give whole); the first reading gives
 * no sample at all. The host's figure is the sum of its containers and of the runtime and agent processes.
 */
export class HostUsageRates {
  private previous = new Map<string, ProcessUsage>();
  private lastAt?: number;
  private nodeCpu = 0;
  private podCpu = new Map<string, number>();
  private since?: number;
  /** The latest reading and what it made (HostUsageSnapshot). */
  latest?: HostUsageSnapshot;

  constructor(private readonly host: string) {}

  next(reading: HostUsageReading): HostMetrics | undefined {
    const current = new Map<string, ProcessUsage>(reading.items.map((c) => [c.id, c]));
    if (reading.runtime) current.set('\0runtime', reading.runtime);
    if (reading.agent) current.set('\0agent', reading.agent);
    const at = reading.timestamp;
    const lastAt = this.lastAt;
    const rates = new Map<string, number | undefined>();
    const added = new Map<string, number>();
    for (const [key, usage] of current) {
      const before = this.previous.get(key);
      rates.set(key, cpuRate(before, usage));
      const grown = usage.cpuUsageCoreNanoSeconds - (before?.cpuUsageCoreNanoSeconds ?? 0);
      added.set(key, grown >= 0 ? grown : usage.cpuUsageCoreNanoSeconds);
      this.nodeCpu += added.get(key)!;
    }
    const podCpu = new Map<string, number>();
    for (const c of reading.items) podCpu.set(c.pod.uid, (podCpu.get(c.pod.uid) ?? this.podCpu.get(c.pod.uid) ?? 0) + added.get(c.id)!);
    this.podCpu = podCpu;
    this.previous = current;
    this.lastAt = at;
    this.since ??= at;
    const sample = lastAt === undefined || at <= lastAt ? undefined : this.sample(reading, current, rates, at, lastAt);
    this.latest = { reading, containerCpuNanoCores: rates, node: sample?.node, nodeCpuCoreNanoSeconds: this.nodeCpu, podCpuCoreNanoSeconds: podCpu, since: this.since };
    return sample;
  }

  private sample(reading: HostUsageReading, current: Map<string, ProcessUsage>, rates: Map<string, number | undefined>, at: number, lastAt: number): HostMetrics {
    const node = { cpuNanoCores: 0, memoryBytes: 0 };
    for (const [key, usage] of current) {
      node.cpuNanoCores += rates.get(key) ?? 0;
      node.memoryBytes += usage.memoryWorkingSetBytes;
    }
    const pods = new Map<string, PodMetricsSample & { whole: boolean }>();
    for (const c of reading.items) {
      let pod = pods.get(c.pod.uid);
      if (!pod) pods.set(c.pod.uid, (pod = { ...c.pod, containers: [], whole: true }));
      const cpu = rates.get(c.id);
      if (cpu === undefined) pod.whole = false;
      else pod.containers.push({ name: c.name, cpuNanoCores: cpu, memoryBytes: c.memoryWorkingSetBytes });
    }
    return {
      host: this.host,
      timestamp: new Date(at).toISOString(),
      windowSeconds: (at - lastAt) / 1000,
      node,
      pods: [...pods.values()].filter((p) => p.whole).map(({ whole: _w, ...p }) => p),
    };
  }
}
