import { isIPv4, SERVICE_NAME_LABEL } from '@openpacific/contracts';
import type { Backend } from '../services/tcp-load-balancer';
import { proxiedEndpoints, readEndpointConditions } from './endpoint-conditions';
import { EndpointCandidate, uniqueBackends } from './local-traffic';
import { servicePortKey } from './pod-endpoints';

/**
 * Whether the Service selects pods: a selector with at least one label. Without one (absent or `{}`) the
 * endpointslice controller leaves the Service alone and whoever manages it writes its EndpointSlices.
 */
export function hasSelector(service: any): boolean {
  const selector = service?.spec?.selector;
  return typeof selector === 'object' && selector !== null && Object.keys(selector).length > 0;
}

const byName = (a: any, b: any): number => {
  const x = String(a.metadata?.name ?? '');
  const y = String(b.metadata?.name ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Where a Service's load balancers send connections, read from EndpointSlices as kube-proxy reads them: every slice
 * of the Service's namespace labelled `kubernetes.io/service-name: <service>` (whoever wrote it) with
 * `addressType: IPv4`; per Service port, the slice port of the same name ('' when unnamed) and protocol gives the
 * target port (a slice without one adds nothing to that Service port); every address of the endpoints
 * `proxiedEndpoints` chooses among them, conditions read as kube-proxy reads them (`readEndpointConditions`: a slice
 * written with none is ready). Keyed as `podServiceEndpoints` keys them (`<protocol>/<port>`), a backend listed by
 * several slices counted once, in the order of the slices' names.
 */
export function sliceServiceBackends(service: any, slices: any[]): Map<string, Backend[]> {
  return new Map([...sliceServiceCandidates(service, slices)].map(([key, candidates]) => [key, uniqueBackends(proxiedEndpoints(candidates))]));
}

/** Every endpoint of each Service port in its slices (keyed as `sliceServiceBackends`), with its conditions and `nodeName`. */
export function sliceServiceCandidates(service: any, slices: any[]): Map<string, EndpointCandidate[]> {
  const ns = service.metadata?.namespace;
  const name = service.metadata?.name;
  const own = slices
    .filter((s) => s?.metadata?.namespace === ns && s.metadata?.labels?.[SERVICE_NAME_LABEL] === name && s.addressType === 'IPv4')
    .sort(byName);
  const out = new Map<string, EndpointCandidate[]>();
  for (const sp of service.spec?.ports ?? []) {
    const protocol = sp.protocol ?? 'TCP';
    const portName = sp.name ?? '';
    const candidates: EndpointCandidate[] = [];
    for (const slice of own) {
      const target = (slice.ports ?? []).find((p: any) => (p?.name ?? '') === portName && (p?.protocol ?? 'TCP') === protocol)?.port;
      if (!Number.isInteger(target) || target < 1 || target > 65535) continue;
      for (const e of slice.endpoints ?? []) {
        const conditions = readEndpointConditions(e?.conditions);
        for (const address of e?.addresses ?? []) {
          if (typeof address === 'string' && isIPv4(address)) candidates.push({ backend: { address, port: target }, conditions, ...(typeof e.nodeName === 'string' ? { nodeName: e.nodeName } : {}) });
        }
      }
    }
    out.set(servicePortKey(protocol, sp.port), candidates);
  }
  return out;
}
