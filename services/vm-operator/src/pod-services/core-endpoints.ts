import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINTS_SKIP_MIRROR_LABEL, SERVICE_NAME_LABEL } from '@openpacific/contracts';
import { matchesSelector } from '../services/vm-service-endpoints';
import { isEndpointPod } from './endpoint-conditions';
import { resolveTargetPort } from './pod-endpoints';

/** The managed-by label value of the slices mirrored from Endpoints, as kube-controller-manager's mirroring controller labels them. */
export const MIRRORING_MANAGED_BY = 'endpointslicemirroring-controller.k8s.io';
/** As kube-controller-manager's endpoints controller marks the Endpoints of a headless Service. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** The annotations a mirrored slice does not copy from its Endpoints, as the mirroring controller leaves them out. */
const UNMIRRORED_ANNOTATIONS = ['endpoints.kubernetes.io/last-change-trigger-time', 'kubectl.kubernetes.io/last-applied-configuration'];

const isPodReady = (pod: any): boolean => (pod?.status?.conditions ?? []).some((c: any) => c?.type === 'Ready' && c?.status === 'True');

/** Endpoint addresses in the endpoints controller's order: by IP as a string, then by the uid of what they name. */
function byIpThenUid(a: any, b: any): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const x = a.targetRef?.uid ?? '';
  const y = b.targetRef?.uid ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The `subsets` of a Service's core v1 Endpoints, as kube-controller-manager's endpoints controller computes them: each
 * pod of the namespace that the selector matches, that has an address and has not finished, and is not terminating
 * (unless the Service publishes not-ready addresses), is an address naming the pod (`targetRef`, `nodeName`,
 * `hostname` when its subdomain is the Service) — in `addresses` when Ready or when the Service publishes not-ready
 * addresses, else in `notReadyAddresses`; for each Service port it serves (a named target port resolved from its
 * containers; one it does not declare is left out for that pod). Addresses sharing a set of ports are one subset
 * (the controller's repacking), sorted by IP; subsets sorted by their ports. A headless Service without ports lists
 * its pods without ports; any other without ports, and one with no such pod, has none (`subsets` left out).
 *
 * Differences from kube-controller-manager: ports keep the Service's order, where it sorts them (and the subsets) by
 * a hash of their fields — the same sets, listed in a readable order.
 */
export function podServiceSubsets(service: any, pods: any[]): any[] {
  const ns = service.metadata?.namespace;
  const publish = service.spec?.publishNotReadyAddresses === true;
  const headless = service.spec?.clusterIP === 'None';
  const servicePorts: any[] = service.spec?.ports ?? [];
  if (servicePorts.length === 0 && !headless) return [];
  const groups = new Map<string, { ports: any[]; addresses: any[]; notReadyAddresses: any[] }>();
  for (const pod of pods) {
    if (pod.metadata?.namespace !== ns || !matchesSelector(service.spec?.selector, pod.metadata?.labels) || !isEndpointPod(pod)) continue;
    if (pod.metadata?.deletionTimestamp && !publish) continue;
    const ports: any[] = [];
    for (const sp of servicePorts) {
      const protocol = sp.protocol ?? 'TCP';
      const port = resolveTargetPort(pod, sp.targetPort, sp.port, protocol);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol, ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (servicePorts.length > 0 && ports.length === 0) continue;
    const address = {
      ip: pod.status.podIP,
      ...(pod.spec?.hostname && pod.spec.subdomain === service.metadata?.name ? { hostname: pod.spec.hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    const key = JSON.stringify(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, addresses: [], notReadyAddresses: [] }));
    (publish || isPodReady(pod) ? group.addresses : group.notReadyAddresses).push(address);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({
      ...(g.addresses.length ? { addresses: g.addresses.sort(byIpThenUid) } : {}),
      ...(g.notReadyAddresses.length ? { notReadyAddresses: g.notReadyAddresses.sort(byIpThenUid) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
}

/** The most addresses kube-controller-manager's endpoints controller puts in one Endpoints object (EndpointSlices have no such cap). */
export const MAX_ENDPOINTS_ADDRESSES = 1000;
/** The annotation it sets, to `truncated`, on Endpoints it cut down to that many, and removes once they fit. */
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/**
 * Subsets cut down to `max` addresses as the endpoints controller's truncateEndpoints does: ready addresses first —
 * when they alone are too many, they are kept in proportion to each subset's share (rounded up, the last subsets
 * getting what is left) and every not-ready address goes; otherwise the not-ready ones are cut the same way to the
 * room the ready ones leave. Each subset keeps its first addresses (in its sorted order). `truncated` says whether
 * any went.
 */
export function truncateSubsets(subsets: any[], max = MAX_ENDPOINTS_ADDRESSES): { subsets: any[]; truncated: boolean } {
  const count = (key: 'addresses' | 'notReadyAddresses') => subsets.reduce((n, s) => n + (s[key]?.length ?? 0), 0);
  const ready = count('addresses');
  const notReady = count('notReadyAddresses');
  if (ready + notReady <= max) return { subsets, truncated: false };
  const cutReady = ready > max;
  const room = cutReady ? max : max - ready;
  const total = cutReady ? ready : notReady;
  const key = cutReady ? 'addresses' : 'notReadyAddresses';
  let left = room;
  const cut = subsets.map((subset) => {
    const wanted = Math.min(Math.ceil(((subset[key]?.length ?? 0) / total) * room), left);
    const kept = (subset[key] ?? []).slice(0, wanted);
    left -= kept.length;
    const { addresses: _a, notReadyAddresses: _n, ...rest } = subset;
    const next: any = cutReady ? {} : { ...(subset.addresses ? { addresses: subset.addresses } : {}) };
    if (kept.length) next[key] = kept;
    return { ...next, ...rest };
  });
  return { subsets: cut, truncated: true };
}

/** The labels of a Service's Endpoints: the Service's, the skip-mirror label (its slices are the endpointslice controller's), and the headless mark. */
export function podServiceEndpointsLabels(service: any): Record<string, string> {
  return {
    ...(service.metadata?.labels ?? {}),
    [ENDPOINTS_SKIP_MIRROR_LABEL]: 'true',
    ...(service.spec?.clusterIP === 'None' ? { [HEADLESS_LABEL]: '' } : {}),
  };
}

/** Whether the mirroring controller mirrors these Endpoints: unless labelled skip-mirror (the endpoints controller's own). */
export function isMirrorable(endpoints: any): boolean {
  return endpoints?.metadata?.labels?.[ENDPOINTS_SKIP_MIRROR_LABEL] !== 'true';
}

/** One EndpointSlice the mirroring controller keeps for an Endpoints object, by its name. */
export interface MirroredSlice {
  name: string;
  slice: any;
}

/** kube-controller-manager's `--mirroring-max-endpoints-per-subset` default: the most addresses mirrored per (repacked) subset. */
export const MAX_MIRRORED_PER_SUBSET = 1000;

/** The addresses of Endpoints grouped as the mirroring controller's RepackSubsets groups them: one group per set of ports. */
function repacked(endpoints: any): Array<{ ports: any[]; ready: any[]; notReady: any[] }> {
  const groups = new Map<string, { ports: any[]; ready: any[]; notReady: any[] }>();
  for (const subset of endpoints.subsets ?? []) {
    const ports = (subset?.ports ?? []).map((p: any) => ({ name: p?.name ?? '', port: p?.port, protocol: p?.protocol ?? 'TCP', ...(p?.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const key = JSON.stringify(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, ready: [], notReady: [] }));
    group.ready.push(...(subset?.addresses ?? []));
    group.notReady.push(...(subset?.notReadyAddresses ?? []));
  }
  return [...groups.values()];
}

const addressTypeOf = (ip: unknown): 'IPv4' | 'IPv6' | undefined => (typeof ip === 'string' && isIPv4(ip) ? 'IPv4' : typeof ip === 'string' && isIPv6(ip) ? 'IPv6' : undefined);

/**
 * How many addresses of the Endpoints `mirroredSlices` leaves out for the cap (`max` per set of ports), not counting
 * those that are no IP: what kube's mirroring controller reports in its `TooManyAddressesToMirror` Warning.
 */
export function addressesOverMirrorCap(endpoints: any, max = MAX_MIRRORED_PER_SUBSET): number {
  let skipped = 0;
  for (const g of repacked(endpoints)) {
    const valid = new Set([...g.ready, ...g.notReady].map((a) => a?.ip).filter((ip) => addressTypeOf(ip))).size;
    skipped += Math.max(0, valid - max);
  }
  return skipped;
}

/**
 * The EndpointSlices mirroring a selector-less Service's Endpoints, as kube-controller-manager's EndpointSliceMirroring
 * controller writes them: one per set of ports (subsets with the same ports merged, as its RepackSubsets does) and
 * address type, named `<endpoints>-<5 hex digits of a hash of both>` so a pass finds the same names again (Kubernetes
 * generates random ones and tracks them); labels those of the Endpoints plus `kubernetes.io/service-name` and the mirroring
 * controller's managed-by, annotations those of the Endpoints but its trigger time and kubectl's last-applied,
 * owned by the Endpoints (the garbage collector removes them with it). `addresses` are endpoints with `ready: true`,
 * `notReadyAddresses` with `ready: false` (ready ones first, each sorted by IP as repacking sorts them; an address
 * listed as both is ready), each with its `targetRef`, `nodeName` and `hostname`; an address that is not an IP is
 * skipped, one listed twice counted once. At most `max` addresses (1000, the controller's default) of a set of ports
 * are mirrored, the rest left out (`addressesOverMirrorCap` counts them). Ports are copied (`name` '' when absent,
 * protocol TCP when absent).
 */
export function mirroredSlices(endpoints: any, max = MAX_MIRRORED_PER_SUBSET): MirroredSlice[] {
  const { name, namespace, uid } = endpoints.metadata;
  const groups = new Map<string, { ports: any[]; addressType: string; endpoints: any[] }>();
  const byIp = (a: any, b: any): number => (a?.ip === b?.ip ? 0 : String(a?.ip) < String(b?.ip) ? -1 : 1);
  for (const g of repacked(endpoints)) {
    const seen = new Set<string>();
    const listed: Array<[any, boolean]> = [...[...g.ready].sort(byIp).map((a): [any, boolean] => [a, true]), ...[...g.notReady].sort(byIp).map((a): [any, boolean] => [a, false])];
    for (const [address, ready] of listed) {
      const ip = address?.ip;
      const addressType = addressTypeOf(ip);
      if (!addressType || seen.has(ip)) continue;
      // The cap counts per set of ports, over both address types, as the controller's per-subset counter does.
      if (seen.size >= max) break;
      seen.add(ip);
      const key = `${JSON.stringify(g.ports)}/${addressType}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { ports: g.ports, addressType, endpoints: [] }));
      group.endpoints.push({
        addresses: [ip],
        conditions: { ready },
        ...(address.hostname ? { hostname: address.hostname } : {}),
        ...(address.targetRef ? { targetRef: address.targetRef } : {}),
        ...(address.nodeName ? { nodeName: address.nodeName } : {}),
      });
    }
  }
  const annotations = Object.fromEntries(Object.entries<string>(endpoints.metadata.annotations ?? {}).filter(([k]) => !UNMIRRORED_ANNOTATIONS.includes(k)));
  return [...groups.entries()].map(([key, g]) => {
    const sliceName = `${name.slice(0, 247)}-${createHash('sha256').update(key).digest('hex').slice(0, 5)}`;
    return {
      name: sliceName,
      slice: {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: sliceName,
          namespace,
          labels: { ...(endpoints.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [ENDPOINT_SLICE_MANAGED_BY_LABEL]: MIRRORING_MANAGED_BY },
          ...(Object.keys(annotations).length ? { annotations } : {}),
          ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name, uid, controller: true, blockOwnerDeletion: true }],
        },
        addressType: g.addressType,
        endpoints: g.endpoints,
        ports: g.ports,
      },
    };
  });
}
