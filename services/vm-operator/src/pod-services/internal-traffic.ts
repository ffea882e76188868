import { inCIDR, POD_IP_ANNOTATION } from '@openpacific/contracts';
import type { Backend } from '../services/tcp-load-balancer';
import { localBackends, type EndpointCandidate } from './local-traffic';

/**
 * `internalTrafficPolicy: Local` as kube-proxy serves it on the cluster IP: a pod's connection goes only to the
 * endpoints on the pod's own host (`nodeName`) — the ready ones, else those serving while terminating
 * (kube-proxy's `CategorizeEndpoints`) — and with none there it goes nowhere (kube-proxy DROPs it, "has no local
 * endpoints"). The balancer is one for the whole machine, so it must learn the client's host from the connection:
 * with the pod network (`POD_CIDR`), every pod has an address of its own from that range and the balancer sees it as
 * the connection's source, which the pods read model maps to the pod's `spec.nodeName` (`PodHostIndex`). A source
 * outside the pod range — the machine itself, a `hostNetwork` pod, a pod of a loopback-fallback host, every pod when
 * the cluster runs without a pod network — says nothing about its host and is served as `Cluster` serves everyone
 * (`localEndpointsByHost` covers only the pods whose host is known).
 */

/** Whether a Service's cluster IP keeps its pods' connections on their own hosts. */
export const internalTrafficLocal = (svc: any): boolean => svc?.spec?.internalTrafficPolicy === 'Local';

/**
 * Per host, where its pods' connections to a Service port go under `internalTrafficPolicy: Local`: for each host an
 * endpoint of the port is on, kube-proxy's local choice there (`localBackends`). A host that is not a key — no
 * endpoint there, or only ones neither ready nor serving-while-terminating — has nowhere to send them. Endpoints
 * without a `nodeName` are local to no host, as in kube-proxy.
 */
export function localEndpointsByHost(candidates: EndpointCandidate[]): Map<string, Backend[]> {
  const hosts = [...new Set(candidates.map((c) => c.nodeName).filter((n): n is string => typeof n === 'string' && n !== ''))].sort();
  const out = new Map<string, Backend[]>();
  for (const host of hosts) {
    const backends = localBackends(candidates, host);
    if (backends.length > 0) out.set(host, backends);
  }
  return out;
}

interface PodAddress {
  address: string;
  host: string;
  createdAt: string;
}

/**
 * Which host a connection's source address is on: the pods read model's `status.podIP` (or, before the agent reports
 * it, the address the scheduler gave the pod at binding, `openpacific.io/pod-ip`) → `spec.nodeName`, for addresses in
 * the pod range (`podCIDR`) only — loopback addresses and a cluster without a pod network say nothing. A pod counts
 * from when it has both until it finishes (`Succeeded`/`Failed`: its address may be given again) or goes; of two
 * live pods claiming one address (never expected), the newer one's host is taken.
 */
export class PodHostIndex {
  private readonly byPod = new Map<string, PodAddress>();
  private readonly byAddress = new Map<string, Set<string>>();

  constructor(private readonly podCIDR: string) {}

  /** A pod (by `<namespace>/<name>`) as the log last said it, created or changed. */
  update(key: string, pod: any): void {
    const address = pod?.status?.podIP ?? pod?.metadata?.annotations?.[POD_IP_ANNOTATION];
    const host = pod?.spec?.nodeName;
    const phase = pod?.status?.phase;
    if (typeof address !== 'string' || typeof host !== 'string' || !host || phase === 'Succeeded' || phase === 'Failed' || !this.inRange(address)) {
      this.remove(key);
      return;
    }
    const current = this.byPod.get(key);
    if (current && current.address !== address) this.unlink(key, current.address);
    this.byPod.set(key, { address, host, createdAt: String(pod?.metadata?.creationTimestamp ?? '') });
    let keys = this.byAddress.get(address);
    if (!keys) this.byAddress.set(address, (keys = new Set()));
    keys.add(key);
  }

  /** A pod deleted. */
  remove(key: string): void {
    const current = this.byPod.get(key);
    if (!current) return;
    this.byPod.delete(key);
    this.unlink(key, current.address);
  }

  /** The host of the pod whose address a client connects from; undefined when the address names no pod's host. */
  readonly hostOf = (clientAddress: string): string | undefined => {
    const address = clientAddress.replace(/^::ffff:/, '');
    const keys = this.byAddress.get(address);
    if (!keys) return undefined;
    let newest: PodAddress | undefined;
    for (const key of keys) {
      const pod = this.byPod.get(key)!;
      if (!newest || pod.createdAt > newest.createdAt) newest = pod;
    }
    return newest?.host;
  };

  private inRange(address: string): boolean {
    return this.podCIDR !== '' && inCIDR(address, this.podCIDR);
  }

  private unlink(key: string, address: string): void {
    const keys = this.byAddress.get(address);
    keys?.delete(key);
    if (keys?.size === 0) this.byAddress.delete(address);
  }
}
