import { parseQuantity } from '@openpacific/kube-api';

/**
 * LimitRanger as kube-apiserver runs it: defaults for containers that lack requests/limits, then min, max
 * and maxLimitRequestRatio per Container, per Pod and per PersistentVolumeClaim. Pure functions.
 */

type List = Record<string, string | number>;
export interface LimitItem {
  type: 'Container' | 'Pod' | 'PersistentVolumeClaim';
  default?: List;
  defaultRequest?: List;
  min?: List;
  max?: List;
  maxLimitRequestRatio?: List;
}

/** kube's SetDefaults_LimitRangeItem: default limit from max, default request from default limit, else from min. */
export function effectiveItem(item: LimitItem): LimitItem {
  if (item.type !== 'Container') return item;
  const def: List = { ...(item.max ?? {}), ...(item.default ?? {}) };
  const defaultRequest: List = { ...(item.min ?? {}), ...def, ...(item.defaultRequest ?? {}) };
  return { ...item, default: def, defaultRequest };
}

export function limitItems(limitRanges: any[], type: LimitItem['type']): LimitItem[] {
  return limitRanges.flatMap((lr) => (lr?.spec?.limits ?? []) as LimitItem[]).filter((i) => i?.type === type).map(effectiveItem);
}

/** Applies Container defaults to every container and init container; returns the pod and kube's annotation text, if anything was set. */
export function defaultPodResources(pod: any, items: LimitItem[]): { pod: any; annotation?: string } {
  if (items.length === 0) return { pod };
  const out = structuredClone(pod);
  const notes: string[] = [];
  for (const c of [...(out.spec?.initContainers ?? []), ...(out.spec?.containers ?? [])]) {
    const setRequests: string[] = [];
    const setLimits: string[] = [];
    for (const item of items) {
      for (const [r, q] of Object.entries(item.default ?? {})) {
        c.resources ??= {};
        c.resources.limits ??= {};
        if (c.resources.limits[r] === undefined) {
          c.resources.limits[r] = String(q);
          setLimits.push(r);
        }
      }
      for (const [r, q] of Object.entries(item.defaultRequest ?? {})) {
        c.resources ??= {};
        c.resources.requests ??= {};
        if (c.resources.requests[r] === undefined) {
          c.resources.requests[r] = String(q);
          setRequests.push(r);
        }
      }
    }
    if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for container ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for container ${c.name}`);
  }
  if (notes.length === 0) return { pod };
  return { pod: out, annotation: `LimitRanger plugin set: ${notes.join('; ')}` };
}

const q = (v: unknown) => (v === undefined ? undefined : parseQuantity(v as string));

/** min/max/ratio of one resource list pair (requests, limits) against an item; kube's messages. */
function checkAmounts(kind: string, item: LimitItem, requests: List, limits: List): string[] {
  const errors: string[] = [];
  for (const [r, min] of Object.entries(item.min ?? {})) {
    const req = requests[r];
    if (req === undefined) errors.push(`minimum ${r} usage per ${kind} is ${min}.  No request is specified`);
    else if (q(req)! < q(min)!) errors.push(`minimum ${r} usage per ${kind} is ${min}, but request is ${req}`);
  }
  for (const [r, max] of Object.entries(item.max ?? {})) {
    const lim = kind === 'PersistentVolumeClaim' ? requests[r] : limits[r];
    const what = kind === 'PersistentVolumeClaim' ? 'request' : 'limit';
    if (lim === undefined) errors.push(`maximum ${r} usage per ${kind} is ${max}.  No ${what} is specified`);
    else if (q(lim)! > q(max)!) errors.push(`maximum ${r} usage per ${kind} is ${max}, but ${what} is ${lim}`);
  }
  for (const [r, ratio] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const req = requests[r];
    const lim = limits[r];
    if (lim === undefined) errors.push(`${r} max limit to request ratio per ${kind} is ${ratio}, but no limit is specified`);
    else if (req === undefined || q(req) === 0) errors.push(`${r} max limit to request ratio per ${kind} is ${ratio}, but no request is specified or request is 0`);
    else if (q(lim)! / q(req)! > q(ratio)!) errors.push(`${r} max limit to request ratio per ${kind} is ${ratio}, but provided ratio is ${(q(lim)! / q(req)!).toFixed(6)}`);
  }
  return errors;
}

function sumLists(lists: List[]): List {
  const sum: Record<string, number> = {};
  for (const l of lists) for (const [r, v] of Object.entries(l)) sum[r] = (sum[r] ?? 0) + (q(v) ?? 0);
  return Object.fromEntries(Object.entries(sum).map(([r, v]) => [r, formatPlain(r, v)]));
}

function formatPlain(r: string, v: number): string {
  if (r === 'cpu') return Number.isInteger(v) ? String(v) : `${Math.round(v * 1000)}m`;
  for (const [suffix, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) if (v !== 0 && v % size === 0) return `${v / size}${suffix}`;
  return String(v);
}

/** Every violation of a (defaulted) pod against Container and Pod items. */
export function podLimitViolations(pod: any, containerItems: LimitItem[], podItems: LimitItem[]): string[] {
  const containers = [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])];
  const errors: string[] = [];
  for (const item of containerItems) for (const c of containers) errors.push(...checkAmounts('Container', item, c.resources?.requests ?? {}, c.resources?.limits ?? {}));
  const app = pod?.spec?.containers ?? [];
  for (const item of podItems) errors.push(...checkAmounts('Pod', item, sumLists(app.map((c: any) => c.resources?.requests ?? {})), sumLists(app.map((c: any) => c.resources?.limits ?? {}))));
  return errors;
}

export function claimLimitViolations(pvc: any, items: LimitItem[]): string[] {
  const requests = pvc?.spec?.resources?.requests ?? {};
  const limits = pvc?.spec?.resources?.limits ?? {};
  return items.flatMap((item) => checkAmounts('PersistentVolumeClaim', { ...item, maxLimitRequestRatio: undefined }, requests, limits));
}

/**
 * A VM has no containers; its class's hardware is what it will use. We check the class's CPUs and memory
 * against the Container `max` (a VM is the workload unit of a namespace, as a container is of a pod).
 */
export function vmClassViolations(vmClass: any, items: LimitItem[]): string[] {
  const hw = vmClass?.spec?.hardware ?? {};
  const amounts: List = {};
  if (hw.cpus !== undefined) amounts.cpu = String(hw.cpus);
  if (hw.memory !== undefined) amounts.memory = String(hw.memory);
  const errors: string[] = [];
  for (const item of items) {
    for (const [r, max] of Object.entries(item.max ?? {})) {
      if (amounts[r] !== undefined && q(amounts[r])! > q(max)!) {
        errors.push(`maximum ${r} usage per Container is ${max}, but VirtualMachineClass "${vmClass.metadata.name}" has ${amounts[r]}`);
      }
    }
  }
  return errors;
}

/** kube's aggregate of several errors: one as is, several in brackets. */
export function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}
