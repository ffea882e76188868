import { milliValue, parseQuantity } from '@openpacific/kube-api';

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
}

/** What a pod asks of a host: the sum of its containers' requests (init containers: the largest), plus one pod slot. */
export function podRequests(pod: any): Resources {
  const sum = { cpuMillis: 0, memoryBytes: 0, pods: 1 };
  for (const c of pod.spec?.containers ?? []) {
    sum.cpuMillis += milliValue(c.resources?.requests?.cpu ?? 0) ?? 0;
    sum.memoryBytes += parseQuantity(c.resources?.requests?.memory ?? 0) ?? 0;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    sum.cpuMillis = Math.max(sum.cpuMillis, milliValue(c.resources?.requests?.cpu ?? 0) ?? 0);
    sum.memoryBytes = Math.max(sum.memoryBytes, parseQuantity(c.resources?.requests?.memory ?? 0) ?? 0);
  }
  return sum;
}

export function allocatable(host: any): Resources {
  const a = host.status?.allocatable ?? {};
  return {
    cpuMillis: milliValue(a.cpu ?? 0) ?? 0,
    memoryBytes: parseQuantity(a.memory ?? 0) ?? 0,
    pods: Number(a.pods ?? 0),
  };
}

export function add(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes, pods: a.pods + b.pods };
}

/** Pods that hold resources on their host: bound and not finished. */
export function holdsResources(pod: any): boolean {
  return !!pod.spec?.nodeName && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}
