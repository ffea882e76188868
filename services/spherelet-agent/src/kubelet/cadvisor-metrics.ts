import { parseQuantity } from '@openpacific/kube-api';
import type { ContainerFigures, HostStats, PodFigures, UsageFigures } from './host-stats';
import { type Family, familiesText, type Labels } from './resource-metrics';

/** What cadvisor's machine collector and version info read of a host: its Node's capacity and `nodeInfo`. */
export interface MachineDescription {
  capacity: { cpu: string; memory: string };
  nodeInfo: { machineID: string; systemUUID: string; bootID: string; kernelVersion: string; osImage: string };
}

/** One cgroup as kubelet labels cadvisor's series of it (its `containerPrometheusLabelsFunc`), and its figures. */
interface Cgroup {
  id: string;
  container: string;
  image: string;
  name: string;
  namespace: string;
  pod: string;
  usage: UsageFigures;
  startTime?: number;
}

/**
 * The pod's cgroup as kubelet names it with its default driver (cgroupfs): a Guaranteed pod directly under
 * `/kubepods`, the others under their class's (`burstable`, `besteffort`).
 */
export function podCgroup(p: Pick<PodFigures, 'uid' | 'qosClass'>): string {
  const qos = (p.qosClass ?? 'BestEffort').toLowerCase();
  return qos === 'guaranteed' ? `/kubepods/pod${p.uid}` : `/kubepods/${qos}/pod${p.uid}`;
}

/** The host's cgroups kubelet's cadvisor reports with figures here: the root, each pod's, and each container's. */
function cgroups(stats: HostStats): Cgroup[] {
  const out: Cgroup[] = [{ id: '/', container: '', image: '', name: '', namespace: '', pod: '', usage: stats.node, startTime: stats.startTime }];
  for (const p of stats.pods) {
    const parent = podCgroup(p);
    // The pod's cgroup: kubelet finds its pod by the cgroup's name; it has no container, image or alias.
    out.push({ id: parent, container: '', image: '', name: '', namespace: p.namespace, pod: p.name, usage: p.usage, startTime: p.startTime });
    for (const c of p.containers) out.push(containerCgroup(parent, p, c));
  }
  return out;
}

/** A container's cgroup, under its pod's, named by its id, which is also its alias (`name`), as containerd's are. */
function containerCgroup(parent: string, p: PodFigures, c: ContainerFigures): Cgroup {
  return { id: `${parent}/${c.id}`, container: c.name, image: c.image ?? '', name: c.id, namespace: p.namespace, pod: p.name, usage: c, startTime: c.startTime };
}

const labelsOf = (g: Cgroup, extra: Labels = []): Labels =>
  [['container', g.container], ...extra, ['id', g.id], ['image', g.image], ['name', g.name], ['namespace', g.namespace], ['pod', g.pod]] as Labels;

/**
 * kubelet's `/metrics/cadvisor` (cadvisor's container and machine collectors in one registry, without stability
 * prefixes) from what the host measures: each cgroup's CPU since it started (`cpu="total"`: kubelet leaves per-CPU
 * figures off; none while it is 0, as cadvisor writes none) and working set, stamped with when they were read; when
 * it started, to the second and unstamped; when it was last seen (now); the machine's logical CPUs and memory, stamped
 * with the host's latest reading; cadvisor's version info (kubelet's cadvisor has no version, docker none); and both
 * collectors' scrape errors (the containers' 1 before the host's first reading, with no container series).
 */
export function cadvisorMetrics(stats: HostStats | undefined, machine: MachineDescription | undefined, now: number): string {
  const families: Family[] = [
    { name: 'cadvisor_version_info', help: "A metric with a constant '1' value labeled by kernel version, OS version, docker version, cadvisor version & cadvisor revision.", type: 'gauge', samples: [] },
    { name: 'container_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed in seconds.', type: 'counter', samples: [] },
    { name: 'container_last_seen', help: 'Last time a container was seen by the exporter', type: 'gauge', samples: [] },
    { name: 'container_memory_working_set_bytes', help: 'Current working set in bytes.', type: 'gauge', samples: [] },
    { name: 'container_scrape_error', help: '1 if there was an error while getting container metrics, 0 otherwise', type: 'gauge', samples: [{ labels: [], value: stats ? 0 : 1 }] },
    { name: 'container_start_time_seconds', help: 'Start time of the container since unix epoch in seconds.', type: 'gauge', samples: [] },
    { name: 'machine_cpu_cores', help: 'Number of logical CPU cores.', type: 'gauge', samples: [] },
    { name: 'machine_memory_bytes', help: 'Amount of memory installed on the machine.', type: 'gauge', samples: [] },
    { name: 'machine_scrape_error', help: '1 if there was an error while getting machine metrics, 0 otherwise.', type: 'gauge', samples: [] },
  ];
  const family = (name: string) => families.find((f) => f.name === name)!.samples;
  if (machine) {
    const { nodeInfo: info } = machine;
    family('cadvisor_version_info').push({
      labels: [['cadvisorRevision', ''], ['cadvisorVersion', ''], ['dockerVersion', ''], ['kernelVersion', info.kernelVersion], ['osVersion', info.osImage]],
      value: 1,
    });
    const labels: Labels = [['boot_id', info.bootID], ['machine_id', info.machineID], ['system_uuid', info.systemUUID]];
    const at = stats?.node.at;
    family('machine_cpu_cores').push({ labels, value: parseQuantity(machine.capacity.cpu) ?? 0, at });
    family('machine_memory_bytes').push({ labels, value: parseQuantity(machine.capacity.memory) ?? 0, at });
    family('machine_scrape_error').push({ labels: [], value: 0 });
  }
  for (const g of stats ? cgroups(stats) : []) {
    const labels = labelsOf(g);
    if (g.startTime !== undefined && g.startTime > 0) family('container_start_time_seconds').push({ labels, value: Math.floor(g.startTime / 1000) });
    family('container_last_seen').push({ labels, value: Math.floor(now / 1000), at: now });
    if (g.usage.cpuCoreNanoSeconds > 0) {
      family('container_cpu_usage_seconds_total').push({ labels: labelsOf(g, [['cpu', 'total']]), value: g.usage.cpuCoreNanoSeconds / 1e9, at: g.usage.at });
    }
    family('container_memory_working_set_bytes').push({ labels, value: g.usage.workingSetBytes, at: g.usage.at });
  }
  return familiesText(families);
}
