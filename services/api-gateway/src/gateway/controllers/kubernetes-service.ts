import type { Logger } from '@openpacific/service-kit';
import { ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICES_RESOURCE, isIPv4, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import { PassLoop } from '@openpacific/objects';
import { GatewayCore } from '../core';
import { allocatedClusterIPs, KUBERNETES_SERVICE, kubernetesClusterIP } from '../handlers/cluster-ip';
import { Actor } from '../store/object-writer';
import { keepObject } from './kept-object';

const ACTOR: Actor = { username: 'system:apiserver', groups: ['system:masters'] };
const { namespace: NAMESPACE, name: NAME } = KUBERNETES_SERVICE;
const LABELS = { component: 'apiserver', provider: 'kubernetes' };

/** Where pods reach this gateway: the address and port its `kubernetes` EndpointSlice names. */
export interface GatewayEndpoint {
  address: string;
  port: number;
}

/**
 * This gateway's endpoint: the host of GATEWAY_PUBLIC_URL when it is an IPv4 address (else 127.0.0.1, where the
 * gateway listens by default), and the port it listens on (GATEWAY_PORT, or the one it was given for 0).
 */
export function gatewayEndpoint(publicUrl: string | undefined, port: number): GatewayEndpoint {
  let host = '';
  try {
    host = publicUrl ? new URL(publicUrl).hostname : '';
  } catch {
    host = '';
  }
  return { address: isIPv4(host) ? host : '127.0.0.1', port };
}

/** The `kubernetes` Service's spec, as kube-apiserver keeps it: ClusterIP at the range's first address, https on 443. */
export function kubernetesServiceSpec(clusterIP: string, targetPort: number): any {
  return {
    type: 'ClusterIP',
    clusterIP,
    clusterIPs: [clusterIP],
    ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort }],
    sessionAffinity: 'None',
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    internalTrafficPolicy: 'Cluster',
  };
}

/** The `kubernetes` EndpointSlice's content: the gateway's endpoint, ready. */
export function kubernetesSliceContent(endpoint: GatewayEndpoint): any {
  return {
    addressType: 'IPv4',
    endpoints: [{ addresses: [endpoint.address], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [{ name: 'https', port: endpoint.port, protocol: 'TCP' }],
  };
}

/**
 * kube-apiserver's own Service: `kubernetes` in `default`, at the service range's first address (reserved for it,
 * see handlers/cluster-ip.ts), port 443 to the gateway's port, without a selector, and its EndpointSlice `kubernetes`
 * naming this gateway. The slice carries no `endpointslice.kubernetes.io/managed-by` label: it is no endpointslice
 * controller's, and vm-operator's, which proxies the Service's cluster IP to it, leaves it alone.
 *
 * Run by the gateway that leads garbage collection (its endpoint is the one named: when another gateway takes the
 * lead it names itself), after changes of the two objects or of the namespace and at a resync: made again when
 * deleted, put right when changed (labels added, spec or slice content as above; what clients add besides stays).
 */
export class KubernetesServiceController {
  private readonly loop: PassLoop;
  private unsubscribe?: () => void;
  private warnedShared?: string;

  constructor(
    private readonly core: GatewayCore,
    private readonly logger: Logger,
    /** This gateway's endpoint, undefined until it listens. */
    private readonly endpoint: () => GatewayEndpoint | undefined,
    opts = { debounceMs: 50, resyncMs: 30_000 },
  ) {
    this.loop = new PassLoop(() => this.pass(), { ...opts, onError: (err) => logger.warn('kubernetes service pass failed', { error: (err as Error).message }) });
  }

  start(): void {
    this.unsubscribe = this.core.hub.subscribe((change) => {
      const { namespace, name } = change.object.metadata;
      if (change.resource === 'namespaces' ? name === NAMESPACE : (change.resource === SERVICES_RESOURCE || change.resource === ENDPOINT_SLICES_RESOURCE) && namespace === NAMESPACE && name === NAME) {
        this.loop.schedule();
      }
    });
    this.loop.start();
  }

  /** A pass soon (once the gateway listens: its endpoint is known). */
  schedule(): void {
    this.loop.schedule();
  }

  stop(): void {
    this.unsubscribe?.();
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    const endpoint = this.endpoint();
    const ns = this.core.readModel.get('namespaces', undefined, NAMESPACE)?.object;
    if (!endpoint || !ns || ns.metadata.deletionTimestamp) return;
    const clusterIP = kubernetesClusterIP(this.core.serviceCIDR);
    this.warnIfShared(clusterIP);
    const spec = kubernetesServiceSpec(clusterIP, endpoint.port);
    await keepObject(this.core, {
      resource: SERVICES_RESOURCE, namespace: NAMESPACE, name: NAME, actor: ACTOR,
      make: () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NAMESPACE, labels: { ...LABELS } }, spec: structuredClone(spec) }),
      correct: (svc) => {
        svc.metadata.labels = { ...(svc.metadata.labels ?? {}), ...LABELS };
        svc.spec = structuredClone(spec);
      },
    });
    const content = kubernetesSliceContent(endpoint);
    await keepObject(this.core, {
      resource: ENDPOINT_SLICES_RESOURCE, namespace: NAMESPACE, name: NAME, actor: ACTOR,
      make: () => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: NAME, namespace: NAMESPACE, labels: { [SERVICE_NAME_LABEL]: NAME } }, ...structuredClone(content) }),
      correct: (slice) => {
        const labels = { ...(slice.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: NAME };
        // With it, vm-operator's endpointslice controller would take the slice for one of its own, stale, and delete it.
        delete labels[ENDPOINT_SLICE_MANAGED_BY_LABEL];
        slice.metadata.labels = labels;
        Object.assign(slice, structuredClone(content));
      },
    });
  }

  /**
   * A Service of a cluster older than the reservation may hold the address: the `kubernetes` Service takes it all
   * the same (pods must find the API there), and the two share it (on port 443 one of them answers). Said once.
   */
  private warnIfShared(clusterIP: string): void {
    const others = allocatedClusterIPs(this.core.readModel, KUBERNETES_SERVICE);
    if (!others.has(clusterIP)) return;
    const holder = this.core.readModel.list(SERVICES_RESOURCE).find((s) => s.object.spec?.clusterIP === clusterIP && !(s.object.metadata.namespace === NAMESPACE && s.object.metadata.name === NAME));
    const who = holder ? `${holder.object.metadata.namespace}/${holder.object.metadata.name}` : 'another Service';
    if (this.warnedShared === who) return;
    this.warnedShared = who;
    this.logger.warn('the kubernetes Service\'s cluster IP is held by another Service as well: delete and recreate that one to give it another address', { clusterIP, service: who });
  }
}
