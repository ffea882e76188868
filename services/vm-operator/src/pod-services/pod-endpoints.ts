import type { Backend } from '../services/tcp-load-balancer';
import { matchesSelector } from '../services/vm-service-endpoints';
import { EndpointConditions, isEndpointPod, podEndpointConditions, proxiedEndpoints } from './endpoint-conditions';
import type { EndpointCandidate } from './local-traffic';

/** One endpoint of a slice, as discovery.k8s.io/v1 writes it. */
export interface SliceEndpoint {
  addresses: string[];
  conditions: EndpointConditions;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  nodeName?: string;
  /** The pod's `spec.hostname` when its `spec.subdomain` names this Service: its DNS name under the Service. */
  hostname?: string;
}

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** A pod the service selects whose container ports declare no port of the name a service port targets. */
export interface UnresolvedPort {
  pod: string;
  portName: string;
}

export interface PodServiceEndpoints {
  endpoints: SliceEndpoint[];
  /**
   * The slice ports of each endpoint (`endpointPorts[i]` those of `endpoints[i]`), as the endpointslice controller
   * gives them per pod: the Service's ports that the pod serves, at the target port resolved for it.
   */
  endpointPorts: SlicePort[][];
  /**
   * Where each service port sends new connections, keyed `<protocol>/<port>` (a port number may serve TCP and UDP
   * apart): the pods `proxiedEndpoints` chooses, at their resolved target port, sorted by pod name.
   */
  backends: Map<string, Backend[]>;
  /** Every endpoint of each service port (same keys), with its conditions and host: what `externalTrafficPolicy: Local` picks from. */
  candidates: Map<string, EndpointCandidate[]>;
  unresolved: UnresolvedPort[];
}

const byName = (a: any, b: any) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

/** The number a target port means for a pod: an int as is, a name from the pod's container ports, undefined when none declares it. */
export function resolveTargetPort(pod: any, targetPort: number | string | undefined, port: number, protocol: string): number | undefined {
  if (targetPort === undefined || targetPort === null || targetPort === '') return port;
  if (typeof targetPort === 'number') return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === targetPort && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export const servicePortKey = (protocol: string, port: number): string => `${protocol}/${port}`;

/**
 * What the EndpointSlices of a Service hold and where its load balancers send connections: every pod of the
 * namespace the selector matches that is an endpoint (`isEndpointPod`: ready or not, terminating ones too, with the
 * conditions `podEndpointConditions` gives), and, for proxying, those `proxiedEndpoints` chooses. A pod whose
 * container ports do not declare a named target port is left out (of that port's backends, and of the slice when no
 * port resolves) and reported in `unresolved`. Pods resolving a named target port to different numbers have
 * different slice ports, so go in different slices (`planSlices`).
 */
export function podServiceEndpoints(service: any, pods: any[]): PodServiceEndpoints {
  const ns = service.metadata?.namespace;
  const ports: SlicePort[] = (service.spec?.ports ?? []).map((p: any) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }));
  const candidates = new Map<string, EndpointCandidate[]>(ports.map((p) => [servicePortKey(p.protocol, p.port), []]));
  const unresolved: UnresolvedPort[] = [];
  const endpoints: SliceEndpoint[] = [];
  const endpointPorts: SlicePort[][] = [];
  const selected = pods.filter((pod) => pod.metadata?.namespace === ns && matchesSelector(service.spec?.selector, pod.metadata?.labels) && isEndpointPod(pod)).sort(byName);
  for (const pod of selected) {
    const conditions = podEndpointConditions(pod, service);
    const served: SlicePort[] = [];
    (service.spec?.ports ?? []).forEach((sp: any) => {
      const protocol = sp.protocol ?? 'TCP';
      const target = resolveTargetPort(pod, sp.targetPort, sp.port, protocol);
      if (target === undefined) {
        unresolved.push({ pod: pod.metadata.name, portName: String(sp.targetPort) });
        return;
      }
      served.push({ name: sp.name ?? '', port: target, protocol, ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
      candidates.get(servicePortKey(protocol, sp.port))?.push({ backend: { address: pod.status.podIP, port: target }, conditions, ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}) });
    });
    if (ports.length > 0 && served.length === 0) continue;
    endpointPorts.push(served);
    endpoints.push({
      addresses: [pod.status.podIP],
      conditions,
      targetRef: { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid },
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      // As the endpointslice controller (namespace already matched), whatever the cluster IP: cluster DNS answers
      // `<hostname>.<svc>.<ns>.svc` with it, the stable per-pod names of a StatefulSet's governing Service.
      ...(pod.spec?.hostname && pod.spec.subdomain === service.metadata?.name ? { hostname: pod.spec.hostname } : {}),
    });
  }
  const backends = new Map([...candidates].map(([key, list]) => [key, proxiedEndpoints(list).map((c) => c.backend)]));
  return { endpoints, endpointPorts, backends, candidates, unresolved };
}
