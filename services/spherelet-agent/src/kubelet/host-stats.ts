import type { HostUsageSnapshot } from '../metrics/usage-rates';

/** What a host used, read at `at` (ms since the epoch): CPU so far and as a rate (when there is one), memory's working set. */
export interface UsageFigures {
  at: number;
  cpuCoreNanoSeconds: number;
  cpuNanoCores?: number;
  workingSetBytes: number;
}

export interface ContainerFigures extends UsageFigures {
  name: string;
  /** The runtime's id of the container (a restart is a new one). */
  id: string;
  /** Its image as its pod gives it. */
  image?: string;
  /** When the container started (ms); undefined when neither its runtime nor its pod's status says. */
  startTime?: number;
}

export interface PodFigures {
  namespace: string;
  name: string;
  uid: string;
  startTime?: number;
  /** Its status's QoS class, which names its cgroup in kubelet's. */
  qosClass?: string;
  containers: ContainerFigures[];
  /**
   * Its containers' together (a pod has no processes of its own here): their memory now, and CPU since the pod was
   * first read, which does not go back when a container restarts (as the pod's cgroup's does not).
   */
  usage: UsageFigures;
}

/** A host's figures as kubelet's Summary API and resource metrics give them, from its latest reading. */
export interface HostStats {
  nodeName: string;
  /** Where the host's cumulative CPU counts from: its first reading. */
  startTime: number;
  node: UsageFigures & { availableBytes?: number };
  pods: PodFigures[];
}

const ms = (time: string | undefined) => (time ? Date.parse(time) : NaN);

/** The image of a pod's container, by its name, as the pod's status says, else its spec. */
function imageOf(pod: any, name: string): string | undefined {
  const all = (group: string) => [...(pod.status?.[`${group}Statuses`] ?? []), ...(pod.spec?.[`${group}s`] ?? [])];
  return [...all('container'), ...all('initContainer'), ...all('ephemeralContainer')].find((c) => c?.name === name && c.image)?.image;
}

/** When the container of this id started, as the pod's status says (`crx://<id>`), for a runtime that does not report it. */
function statusStart(pod: any, containerId: string): number | undefined {
  const statuses: any[] = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const started = ms(statuses.find((s) => s?.containerID === `crx://${containerId}`)?.state?.running?.startedAt);
  return Number.isNaN(started) ? undefined : started;
}

/**
 * The host's figures from its latest reading: the host as a whole (CPU since its first reading, its rate over the
 * last window, the working set of its containers, runtime and agent; what is left of `memoryCapacityBytes`), and
 * each pod the host runs that has running containers, with theirs. A pod no longer bound here (its containers not
 * yet removed) is left out, as kubelet leaves out what its pod manager no longer has.
 */
export function hostStats(nodeName: string, snapshot: HostUsageSnapshot, boundPods: any[], memoryCapacityBytes?: number): HostStats {
  const { reading } = snapshot;
  const workingSet = reading.items.reduce((sum, c) => sum + c.memoryWorkingSetBytes, 0) + (reading.runtime?.memoryWorkingSetBytes ?? 0) + (reading.agent?.memoryWorkingSetBytes ?? 0);
  const node = {
    at: reading.timestamp,
    cpuCoreNanoSeconds: snapshot.nodeCpuCoreNanoSeconds,
    ...(snapshot.node ? { cpuNanoCores: snapshot.node.cpuNanoCores } : {}),
    workingSetBytes: workingSet,
    ...(memoryCapacityBytes !== undefined && memoryCapacityBytes >= workingSet ? { availableBytes: memoryCapacityBytes - workingSet } : {}),
  };
  const byUid = new Map<string, any>(boundPods.map((p) => [p.metadata?.uid, p]));
  const pods = new Map<string, PodFigures>();
  for (const c of reading.items) {
    const pod = byUid.get(c.pod.uid);
    if (!pod) continue;
    let figures = pods.get(c.pod.uid);
    if (!figures) {
      const started = ms(pod.status?.startTime);
      const qosClass: unknown = pod.status?.qosClass;
      figures = {
        ...c.pod,
        ...(Number.isNaN(started) ? {} : { startTime: started }),
        ...(typeof qosClass === 'string' ? { qosClass } : {}),
        containers: [],
        usage: { at: 0, cpuCoreNanoSeconds: 0, workingSetBytes: 0 },
      };
      pods.set(c.pod.uid, figures);
    }
    const started = c.startedAt ? ms(c.startedAt) : statusStart(pod, c.id);
    const rate = snapshot.containerCpuNanoCores.get(c.id);
    const image = imageOf(pod, c.name);
    figures.containers.push({
      name: c.name,
      id: c.id,
      ...(image ? { image } : {}),
      ...(started !== undefined && !Number.isNaN(started) ? { startTime: started } : {}),
      at: c.timestamp,
      cpuCoreNanoSeconds: c.cpuUsageCoreNanoSeconds,
      ...(rate !== undefined ? { cpuNanoCores: rate } : {}),
      workingSetBytes: c.memoryWorkingSetBytes,
    });
  }
  for (const p of pods.values()) {
    const sum = together(p.containers);
    p.usage = { ...sum, cpuCoreNanoSeconds: snapshot.podCpuCoreNanoSeconds.get(p.uid) ?? sum.cpuCoreNanoSeconds };
  }
  return { nodeName, startTime: snapshot.since, node, pods: [...pods.values()] };
}

/** Containers' figures summed; a rate only when every one has one. */
function together(containers: ContainerFigures[]): UsageFigures {
  const rated = containers.every((c) => c.cpuNanoCores !== undefined);
  return {
    at: Math.max(...containers.map((c) => c.at)),
    cpuCoreNanoSeconds: containers.reduce((sum, c) => sum + c.cpuCoreNanoSeconds, 0),
    ...(rated ? { cpuNanoCores: containers.reduce((sum, c) => sum + c.cpuNanoCores!, 0) } : {}),
    workingSetBytes: containers.reduce((sum, c) => sum + c.workingSetBytes, 0),
  };
}
