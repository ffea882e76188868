import { ENDPOINT_SLICE_MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '@openpacific/contracts';
import { sameJson } from '@openpacific/objects';
import { HEADLESS_LABEL } from './core-endpoints';
import type { SliceEndpoint, SlicePort } from './pod-endpoints';

/** kube-controller-manager's endpointslice controller, as its slices' `endpointslice.kubernetes.io/managed-by` names it. */
export const SLICE_MANAGED_BY = 'endpointslice-controller.k8s.io';

/** The labels the controller sets itself: a Service's own label of one of these keys is not copied to its slices. */
const RESERVED_LABELS = new Set([SERVICE_NAME_LABEL, ENDPOINT_SLICE_MANAGED_BY_LABEL, HEADLESS_LABEL]);

/**
 * The labels of a Service's slices, as kube's endpointslice controller sets them: the Service's own (but the reserved
 * keys), `service.kubernetes.io/headless` (empty) when it has no cluster IP, its name, and the controller's managed-by.
 */
export function serviceSliceLabels(service: any): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.metadata?.labels ?? {})) if (!RESERVED_LABELS.has(key)) labels[key] = String(value);
  const clusterIP = service.spec?.clusterIP;
  if (!clusterIP || clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = service.metadata.name;
  labels[ENDPOINT_SLICE_MANAGED_BY_LABEL] = SLICE_MANAGED_BY;
  return labels;
}

/** kube-controller-manager's `--max-endpoints-per-slice` default: the most endpoints the controller puts in one slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** An endpoint the Service wants, with the ports (target ports resolved for its pod) of the slices it may go in. */
export interface DesiredEndpoint {
  endpoint: SliceEndpoint;
  ports: SlicePort[];
}

/** What a slice is to hold: its ports and endpoints. */
export interface SliceContent {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

/**
 * The writes that bring a Service's slices (this controller's, of its address type) to its desired endpoints:
 * slices to create, existing ones (by name) to rewrite with new content, existing ones to delete.
 */
export interface SlicePlan {
  create: SliceContent[];
  update: Array<{ name: string; content: SliceContent }>;
  delete: string[];
}

/** An endpoint's identity as the endpointslice controller hashes it: addresses, hostname and the pod it names. */
const endpointKey = (e: any): string => JSON.stringify([e?.addresses ?? [], e?.hostname ?? '', e?.targetRef?.namespace ?? '', e?.targetRef?.name ?? '']);
const portsKey = (ports: any[] | undefined): string => JSON.stringify(ports ?? []);
const byName = (a: any, b: any): number => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

/** Removes and returns the first `n` endpoints still wanted (in the order they were wanted). */
function take(wanted: Map<string, SliceEndpoint>, n: number): SliceEndpoint[] {
  const out: SliceEndpoint[] = [];
  for (const [key, e] of wanted) {
    if (out.length >= n) break;
    out.push(e);
    wanted.delete(key);
  }
  return out;
}

/**
 * Of the unchanged slices, the one closest to full once `count` endpoints are added (kube's getSliceToFill);
 * undefined when none has room for them all.
 */
function sliceToFill(slices: any[], count: number, max: number): any | undefined {
  let best: any;
  let closest = max;
  for (const slice of slices) {
    const diff = max - (count + (slice.endpoints?.length ?? 0));
    if (diff >= 0 && diff < closest) {
      closest = diff;
      best = slice;
    }
  }
  return best;
}

/**
 * Plans a Service's EndpointSlices as kube-controller-manager's endpointslice reconciler does, one set of slices per
 * set of ports (the Service's ports with the target ports a pod resolves; one address type, IPv4, here):
 *
 * 1. Each existing slice keeps its endpoints that are still wanted, rewritten in place when they changed
 *    (conditions, node…), and loses those no longer wanted; a slice left empty is deleted, one whose ports no
 *    endpoint wants any more too.
 * 2. Endpoints not yet placed first fill the slices being rewritten anyway, fullest first, up to `max`.
 * 3. The rest go into new slices of `max` each, until fewer than `max` remain: those go into the unchanged slice
 *    that comes closest to full taking them all, or, when none has the room, a new slice.
 * 4. With no slice left at all, one placeholder slice without ports or endpoints stands for the Service (an
 *    existing one is kept as it is).
 * 5. A slice to create and one to delete become a rewrite of the latter (fewer writes, the name kept).
 *
 * Given `labels` (the Service's, `serviceSliceLabels`), a slice labelled otherwise counts as changed: it is rewritten
 * with its endpoints (and filled first, as in 2), a placeholder replaced, as kube's reconciler relabels slices when the
 * Service's labels change.
 *
 * Full slices are never re-packed for tidiness: a change costs the writes of the slices it touches. Endpoints keep
 * the order they were wanted in (kube takes them from a set in no order). Unlike kube, which leaves a slice bigger
 * than a lowered cap as it is, a slice holding more than `max` endpoints (one written before the cap) is cut down to
 * it and the rest placed as new endpoints.
 */
export function planSlices(existing: any[], desired: DesiredEndpoint[], max = MAX_ENDPOINTS_PER_SLICE, labels?: Record<string, string>): SlicePlan {
  const relabel = (slice: any): boolean => labels !== undefined && !sameJson(slice.metadata?.labels ?? {}, labels);
  const wantedByPorts = new Map<string, { ports: SlicePort[]; wanted: Map<string, SliceEndpoint> }>();
  for (const { endpoint, ports } of desired) {
    const key = portsKey(ports);
    let group = wantedByPorts.get(key);
    if (!group) wantedByPorts.set(key, (group = { ports, wanted: new Map() }));
    group.wanted.set(endpointKey(endpoint), endpoint);
  }
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const slices = [...existing].sort(byName);
  for (const slice of slices) if (!wantedByPorts.has(portsKey(slice.ports))) plan.delete.push(slice.metadata.name);

  for (const [key, { ports, wanted }] of wantedByPorts) {
    const own = slices.filter((s) => portsKey(s.ports) === key);
    const updating: Array<{ name: string; content: SliceContent }> = [];
    const unchanged: any[] = [];
    for (const slice of own) {
      const kept: SliceEndpoint[] = [];
      let changed = relabel(slice);
      for (const e of slice.endpoints ?? []) {
        const k = endpointKey(e);
        const want = wanted.get(k);
        if (!want || kept.length >= max) {
          changed = true;
          continue;
        }
        if (!sameJson(want, e)) changed = true;
        kept.push(want);
        wanted.delete(k);
      }
      if (!changed) unchanged.push(slice);
      else if (kept.length === 0) plan.delete.push(slice.metadata.name);
      else updating.push({ name: slice.metadata.name, content: { ports, endpoints: kept } });
    }
    // Stable sort: of equally full slices, the first by name fills first.
    for (const u of [...updating].sort((a, b) => b.content.endpoints.length - a.content.endpoints.length)) {
      u.content.endpoints.push(...take(wanted, max - u.content.endpoints.length));
    }
    while (wanted.size > 0) {
      const fill = wanted.size < max ? sliceToFill(unchanged, wanted.size, max) : undefined;
      if (fill) updating.push({ name: fill.metadata.name, content: { ports, endpoints: [...(fill.endpoints ?? []), ...take(wanted, wanted.size)] } });
      else plan.create.push({ ports, endpoints: take(wanted, max) });
    }
    plan.update.push(...updating);
  }

  if (plan.delete.length === existing.length && plan.create.length === 0) {
    const placeholder = existing.length === 1 && (existing[0].ports ?? []).length === 0 && (existing[0].endpoints ?? []).length === 0 && !relabel(existing[0]);
    if (placeholder) plan.delete = [];
    else plan.create.push({ ports: [], endpoints: [] });
  }
  while (plan.create.length > 0 && plan.delete.length > 0) {
    plan.update.push({ name: plan.delete.shift()!, content: plan.create.pop()! });
  }
  return plan;
}
