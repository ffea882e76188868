import { parseQuantity } from '@openpacific/kube-api';

/**
 * What an object uses of a namespace's quota, as kube-apiserver's quota evaluators count it. Amounts are
 * integers: CPU in millicores, everything else in units (bytes, objects), so sums are exact.
 */
export type Usage = Record<string, number>;

export const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const CPU_KEYS = new Set(['cpu', 'requests.cpu', 'limits.cpu']);
const POD_COMPUTE_KEYS = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'];

/** A quota amount of a resource name from a quantity (`500m` cpu -> 500, `1Gi` -> 1073741824); undefined if invalid. */
export function amountOf(resourceName: string, q: unknown): number | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  const v = parseQuantity(q);
  if (v === undefined) return undefined;
  return CPU_KEYS.has(resourceName) ? Math.ceil(Math.round(v * 1e6) / 1e3) : Math.ceil(v);
}

/** An amount back as a quantity, as kube prints one: `500m`, `2`, `1Gi`, `10`. */
export function formatAmount(resourceName: string, n: number): string {
  if (CPU_KEYS.has(resourceName)) return n % 1000 === 0 ? String(n / 1000) : `${n}m`;
  if (n !== 0 && /memory|storage/.test(resourceName)) {
    for (const [suffix, size] of [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
      if (n % size === 0) return `${n / size}${suffix}`;
    }
  }
  return String(n);
}

/** The quota name counting objects of a stored resource: `count/pods`, `count/virtualmachines.vmoperator.vmware.com`. */
export function countKey(resource: string): string {
  return `count/${resource}`;
}

/** Object-count names kube accepts without `count/` for core kinds. */
const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  persistentvolumeclaims: 'persistentvolumeclaims',
  configmaps: 'configmaps',
  secrets: 'secrets',
  services: 'services',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/** Per container: requests (a missing request is the limit, as kube defaults it) and limits. */
function containerAmounts(c: any): Usage {
  const out: Usage = {};
  for (const r of ['cpu', 'memory']) {
    const limit = c?.resources?.limits?.[r];
    const request = c?.resources?.requests?.[r] ?? limit;
    if (request !== undefined) out[`requests.${r}`] = amountOf(`requests.${r}`, request) ?? 0;
    if (limit !== undefined) out[`limits.${r}`] = amountOf(`limits.${r}`, limit) ?? 0;
  }
  return out;
}

/** A pod's requests and limits: the sum over its containers or the largest init container, whichever is larger. */
export function podCompute(pod: any): Usage {
  const sum: Usage = {};
  for (const c of pod?.spec?.containers ?? []) for (const [k, v] of Object.entries(containerAmounts(c))) sum[k] = (sum[k] ?? 0) + v;
  for (const c of pod?.spec?.initContainers ?? []) for (const [k, v] of Object.entries(containerAmounts(c))) sum[k] = Math.max(sum[k] ?? 0, v);
  // A RuntimeClass's overhead counts as requested and as limited, as kube's quota counts it.
  for (const r of ['cpu', 'memory']) {
    const amount = pod?.spec?.overhead?.[r];
    if (amount === undefined) continue;
    const v = amountOf(`requests.${r}`, amount) ?? 0;
    sum[`requests.${r}`] = (sum[`requests.${r}`] ?? 0) + v;
    if (sum[`limits.${r}`] !== undefined) sum[`limits.${r}`] += v;
  }
  if (sum['requests.cpu'] !== undefined) sum.cpu = sum['requests.cpu'];
  if (sum['requests.memory'] !== undefined) sum.memory = sum['requests.memory'];
  return sum;
}

/** Which compute resources a pod leaves unspecified in some container, among those a quota constrains. */
export function podMissingCompute(pod: any, constrained: string[]): string[] {
  const missing = new Set<string>();
  for (const c of [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])]) {
    const amounts = containerAmounts(c);
    for (const k of constrained) {
      if (!POD_COMPUTE_KEYS.includes(k)) continue;
      const key = k === 'cpu' || k === 'memory' ? `requests.${k}` : k;
      if (amounts[key] === undefined) missing.add(k);
    }
  }
  return [...missing].sort();
}

/** A claim's storage class: `spec.storageClassName`, else the beta annotation. */
export function claimStorageClass(pvc: any): string | undefined {
  return pvc?.spec?.storageClassName ?? pvc?.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? undefined;
}

/** What one stored object uses. `resource` is its qualified resource as the log names it (`pods`, `virtualmachines.vmoperator.vmware.com`). */
export function usageOf(resource: string, obj: any): Usage {
  if (!obj) return {};
  const usage: Usage = { [countKey(resource)]: 1 };
  const legacy = LEGACY_COUNTS[resource];
  if (legacy) usage[legacy] = 1;
  if (resource === 'pods') {
    // A pod that ended no longer counts, as kube's pod evaluator.
    if (isTerminal(obj)) return {};
    Object.assign(usage, podCompute(obj));
  }
  if (resource === 'services') Object.assign(usage, serviceUsage(obj));
  if (resource === 'persistentvolumeclaims') {
    const storage = amountOf('requests.storage', obj.spec?.resources?.requests?.storage) ?? 0;
    usage['requests.storage'] = storage;
    const sc = claimStorageClass(obj);
    if (sc) {
      usage[`${sc}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
      usage[`${sc}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = 1;
    }
  }
  return usage;
}

/**
 * kube's service evaluator: a NodePort or LoadBalancer Service takes a node port per port (a LoadBalancer with
 * `allocateLoadBalancerNodePorts: false` only those it names), a LoadBalancer one load balancer.
 */
function serviceUsage(svc: any): Usage {
  const type = svc.spec?.type;
  const ports: any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  let nodePorts = 0;
  if (type === 'NodePort') nodePorts = ports.length;
  if (type === 'LoadBalancer') nodePorts = svc.spec?.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p?.nodePort).length : ports.length;
  return { 'services.nodeports': nodePorts, 'services.loadbalancers': type === 'LoadBalancer' ? 1 : 0 };
}

function isTerminal(pod: any): boolean {
  return pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';
}

export function addUsage(into: Usage, u: Usage, sign = 1): Usage {
  for (const [k, v] of Object.entries(u)) into[k] = (into[k] ?? 0) + sign * v;
  return into;
}

/** What an update adds: the positive part of new minus old, per resource. */
export function usageDelta(before: Usage, after: Usage): Usage {
  const out: Usage = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** The quota's hard limits as amounts (invalid quantities, refused by the gateway, are skipped). */
export function hardOf(quota: any): Usage {
  const out: Usage = {};
  for (const [k, q] of Object.entries<unknown>(quota?.spec?.hard ?? {})) {
    const a = amountOf(k, q);
    if (a !== undefined) out[k] = a;
  }
  return out;
}

const pretty = (u: Usage, keys: string[]) => keys.map((k) => `${k}=${formatAmount(k, u[k] ?? 0)}`).join(',');

/**
 * kube-apiserver's verdict for one quota: undefined when `requested` fits, else its message
 * (`exceeded quota: q, requested: pods=1, used: pods=10, limited: pods=10`).
 */
export function exceededMessage(quotaName: string, hard: Usage, used: Usage, requested: Usage): string | undefined {
  const over = Object.keys(requested)
    .filter((k) => hard[k] !== undefined && requested[k] > 0 && (used[k] ?? 0) + requested[k] > hard[k])
    .sort();
  if (over.length === 0) return undefined;
  return `exceeded quota: ${quotaName}, requested: ${pretty(requested, over)}, used: ${pretty(used, over)}, limited: ${pretty(hard, over)}`;
}

/** The status.used a quota shows: for each hard resource, the usage formatted. */
export function usedStatus(hard: Record<string, unknown>, used: Usage): Record<string, string> {
  return Object.fromEntries(Object.keys(hard).map((k) => [k, formatAmount(k, used[k] ?? 0)]));
}
