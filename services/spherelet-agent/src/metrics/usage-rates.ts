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

  constructor(private readonly host: string) {}

  next(reading: HostUsageReading): HostMetrics | undefined {
    const current = new Map<string, ProcessUsage>(reading.items.map((c) => [c.id, c]));
    if (reading.runtime) current.set('\0runtime', reading.runtime);
    if (reading.agent) current.set('\0agent', reading.agent);
    const at = reading.timestamp;
    const lastAt = this.lastAt;
    const rates = new Map([...current].map(([key, usage]) => [key, cpuRate(this.previous.get(key), usage)]));
    this.previous = current;
    this.lastAt = at;
    if (lastAt === undefined || at <= lastAt) return undefined;

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
