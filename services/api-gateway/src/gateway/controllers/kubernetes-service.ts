import type { Logger } from '@openpacific/service-kit';
import {
  ENDPOINT_SLICE_MANAGED_BY_LABEL, ENDPOINT_SLICES_RESOURCE, ENDPOINTS_RESOURCE, ENDPOINTS_SKIP_MIRROR_LABEL, isIPv4, LEASES_RESOURCE, SERVICE_NAME_LABEL, SERVICES_RESOURCE,
} from '@openpacific/contracts';
import { ObjectChange, PassLoop } from '@openpacific/objects';
import { GatewayCore } from '../core';
import { allocatedClusterIPs, KUBERNETES_SERVICE, kubernetesClusterIP } from '../handlers/cluster-ip';
import { Actor } from '../store/object-writer';
import { keepObject } from './kept-object';
import { IdentityLeaseCollector, identityLeaseConcerns } from './identity-lease-gc';
import { isExtraKubernetesSliceName, kubernetesEndpointsSubsets, kubernetesSlices, liveApiserverEndpoints, SelfEndpoint } from './apiserver-endpoints';
import { deleteObject } from '../handlers/delete';

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

/**
 * kube-apiserver's own Service: `kubernetes` in `default`, at the service range's first address (reserved for it,
 * see handlers/cluster-ip.ts), port 443 to the gateway's port, without a selector; its EndpointSlice `kubernetes` (and
 * `kubernetes-<port>` for replicas on further ports) and its Endpoints `kubernetes` naming every gateway replica whose
 * identity Lease is live, as kube-apiserver's lease endpoint reconciler lists every apiserver. The slices carry no
 * `endpointslice.kubernetes.io/managed-by` label: they are no endpointslice controller's, and vm-operator's, which
 * proxies the Service's cluster IP to them, leaves them alone; the Endpoints carry `skip-mirror`, as kube-apiserver's.
 *
 * Run by the gateway that leads garbage collection (which lists itself whether or not its Lease is back from the log
 * yet), after changes of these objects, of the namespace or of the replicas' identity Leases, when the first live
 * Lease runs out, and at a resync: made again when deleted, put right when changed (labels added, spec or content as
 * above; what clients add besides stays). Identity Leases that ran out are deleted (identity-lease-gc.ts).
 */
export class KubernetesServiceController {
  private readonly loop: PassLoop;
  private readonly leases: IdentityLeaseCollector;
  private unsubscribe?: () => void;
  private warnedShared?: string;

  constructor(
    private readonly core: GatewayCore,
    private readonly logger: Logger,
    /** This gateway's identity Lease and endpoint, undefined until it listens. */
    private readonly self: () => SelfEndpoint | undefined,
    opts = { debounceMs: 50, resyncMs: 30_000 },
  ) {
    this.loop = new PassLoop(() => this.pass(), { ...opts, onError: (err) => logger.warn('kubernetes service pass failed', { error: (err as Error).message }) });
    this.leases = new IdentityLeaseCollector(core, logger, () => this.loop.schedule());
  }

  start(): void {
    this.unsubscribe = this.core.hub.subscribe((change) => {
      if (this.concerns(change)) this.loop.schedule();
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
    this.leases.stop();
  }

  private concerns(change: ObjectChange): boolean {
    const { namespace, name } = change.object.metadata;
    if (change.resource === 'namespaces') return name === NAMESPACE;
    if (change.resource === LEASES_RESOURCE) return identityLeaseConcerns(change, Date.now());
    if (namespace !== NAMESPACE) return false;
    if (change.resource === ENDPOINT_SLICES_RESOURCE) return name === NAME || isExtraKubernetesSliceName(name);
    return (change.resource === SERVICES_RESOURCE || change.resource === ENDPOINTS_RESOURCE) && name === NAME;
  }

  private async pass(): Promise<void> {
    const self = this.self();
    const ns = this.core.readModel.get('namespaces', undefined, NAMESPACE)?.object;
    if (!self || !ns || ns.metadata.deletionTimestamp) return;
    const now = Date.now();
    const leases = this.leases.identityLeases();
    const clusterIP = kubernetesClusterIP(this.core.serviceCIDR);
    this.warnIfShared(clusterIP);
    const spec = kubernetesServiceSpec(clusterIP, self.endpoint.port);
    await keepObject(this.core, {
      resource: SERVICES_RESOURCE, namespace: NAMESPACE, name: NAME, actor: ACTOR,
      make: () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NAMESPACE, labels: { ...LABELS } }, spec: structuredClone(spec) }),
      correct: (svc) => {
        svc.metadata.labels = { ...(svc.metadata.labels ?? {}), ...LABELS };
        svc.spec = structuredClone(spec);
      },
    });
    const live = liveApiserverEndpoints(leases, now, self);
    await this.keepSlices(kubernetesSlices(live));
    const subsets = kubernetesEndpointsSubsets(live);
    await keepObject(this.core, {
      resource: ENDPOINTS_RESOURCE, namespace: NAMESPACE, name: NAME, actor: ACTOR,
      make: () => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NAMESPACE, labels: { [ENDPOINTS_SKIP_MIRROR_LABEL]: 'true' } }, subsets: structuredClone(subsets) }),
      correct: (ep) => {
        ep.metadata.labels = { ...(ep.metadata.labels ?? {}), [ENDPOINTS_SKIP_MIRROR_LABEL]: 'true' };
        ep.subsets = structuredClone(subsets);
      },
    });
    await this.leases.collect(leases, now);
  }

  /** The wanted slices kept, and the `kubernetes-<port>` ones of ports no live replica serves on any more deleted. */
  private async keepSlices(wanted: Array<{ name: string; content: any }>): Promise<void> {
    for (const { name, content } of wanted) {
      await keepObject(this.core, {
        resource: ENDPOINT_SLICES_RESOURCE, namespace: NAMESPACE, name, actor: ACTOR,
        make: () => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: NAMESPACE, labels: { [SERVICE_NAME_LABEL]: NAME } }, ...structuredClone(content) }),
        correct: (slice) => {
          const labels = { ...(slice.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: NAME };
          // With it, vm-operator's endpointslice controller would take the slice for one of its own, stale, and delete it.
          delete labels[ENDPOINT_SLICE_MANAGED_BY_LABEL];
          slice.metadata.labels = labels;
          Object.assign(slice, structuredClone(content));
        },
      });
    }
    const names = new Set(wanted.map((w) => w.name));
    const slices = this.core.registry.storage(ENDPOINT_SLICES_RESOURCE);
    for (const stale of this.core.readModel.list(ENDPOINT_SLICES_RESOURCE, NAMESPACE)) {
      const meta = stale.object.metadata;
      if (!isExtraKubernetesSliceName(meta.name) || names.has(meta.name) || meta.labels?.[SERVICE_NAME_LABEL] !== NAME || meta.deletionTimestamp) continue;
      await deleteObject(this.core, slices, NAMESPACE, meta.name, { preconditions: { resourceVersion: meta.resourceVersion } }, ACTOR, false).catch((err: { code?: number }) => {
        // Changed or gone meanwhile: the next pass sees it as it is.
        if (err?.code !== 409 && err?.code !== 404) throw err;
      });
    }
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
