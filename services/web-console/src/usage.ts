import { parseQuantity } from './quantity';

/** How often usage is read again: the hosts sample about every 10 s, and metrics.k8s.io cannot be watched. */
export const USAGE_PERIOD_MS = 15_000;

/** CPU in cores and memory in bytes, as one metrics.k8s.io reading says. */
export interface UsageReading {
  cpu: number;
  memory: number;
}

export interface UsageState {
  /** By object name (`host-1`), or `namespace/name` for pods. */
  byName: Map<string, UsageReading>;
  /** The API's refusal or the network's failure; usage is an extra, so pages show it beside what still works. */
  error?: string;
}

/** A NodeMetrics' or PodMetrics' usage (a pod's is the sum of its containers'). */
export function usageOf(item: any): UsageReading {
  const parts: any[] = item.usage ? [item.usage] : (item.containers ?? []).map((c: any) => c.usage ?? {});
  return parts.reduce((sum: UsageReading, u: any) => ({ cpu: sum.cpu + parseQuantity(u.cpu), memory: sum.memory + parseQuantity(u.memory) }), { cpu: 0, memory: 0 });
}

/** The key `usageByName` files an item under: a pod's namespace and name, a node's name. */
export function usageKey(item: any): string {
  return item.metadata.namespace ? `${item.metadata.namespace}/${item.metadata.name}` : item.metadata.name;
}

export function usageByName(list: any): Map<string, UsageReading> {
  return new Map((list?.items ?? []).map((item: any) => [usageKey(item), usageOf(item)]));
}
