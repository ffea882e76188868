import { createHash } from 'node:crypto';
import type { StreamAppend } from '@openpacific/event-store';
import { ReadModel, sameJson } from '@openpacific/objects';
import { CR, created, LABELS, newObject, startDeletion, updated } from './objects';

/**
 * A guest's `type: LoadBalancer` Services, realised as TKG's paravirtual cloud provider (vsphere-cpi in paravirtual
 * mode) realises them: a VirtualMachineService of type LoadBalancer in the Cluster's namespace, selecting the
 * cluster's worker VMs, each Service port mapped to the Service's node port on them; its ingress (from the
 * Supervisor's load balancer range) becomes the guest Service's `status.loadBalancer.ingress`.
 */
export const LB_LABELS = {
  cluster: 'run.tanzu.vmware.com/cluster.name',
  serviceName: 'run.tanzu.vmware.com/service.name',
  serviceNamespace: 'run.tanzu.vmware.com/service.namespace',
} as const;
/** `externalTrafficPolicy: Local` and its health check node port, carried to the Supervisor as the real one does. */
export const EXTERNAL_TRAFFIC_POLICY_ANNOTATION = 'virtualmachineservice.vmoperator.vmware.com/service.externalTrafficPolicy';
export const HEALTH_CHECK_NODE_PORT_ANNOTATION = 'virtualmachineservice.vmoperator.vmware.com/service.healthCheckNodePort';
/** What this cluster-api labels its worker VMs with (`capv.vmware.com/cluster.role`; the real CAPV says `node`). */
export const WORKER_ROLE = 'worker';

const VMOP = 'vmoperator.vmware.com/v1alpha5';
/** The name's hash part, and the longest cluster name kept whole (TKG refuses longer ones): 41 + 1 + 21 = 63. */
const SUFFIX_LENGTH = 21;
const CLUSTER_PREFIX_LENGTH = 41;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The VirtualMachineService's name, as the paravirtual cloud provider derives it: `<cluster>-<the first 21 hex digits
 * of sha256("<name>.<namespace>")>`, at most 63 characters. A cluster name over 41 characters (which TKG refuses) is cut
 * to 41 and then hashed with the rest, so that two such clusters of one namespace still differ.
 */
export function vmServiceName(cluster: string, namespace: string, name: string): string {
  if (cluster.length <= CLUSTER_PREFIX_LENGTH) return `${cluster}-${sha256(`${name}.${namespace}`).slice(0, SUFFIX_LENGTH)}`;
  return `${cluster.slice(0, CLUSTER_PREFIX_LENGTH)}-${sha256(`${name}.${namespace}.${cluster}`).slice(0, SUFFIX_LENGTH)}`;
}

/**
 * The VirtualMachineService a guest Service calls for, or undefined: not a LoadBalancer, being deleted, or a port
 * without its node port yet. Ports map port → the Service's nodePort on the cluster's worker VMs.
 */
export function desiredVmService(cluster: any, svc: any): any | undefined {
  if (svc?.spec?.type !== 'LoadBalancer' || svc.metadata?.deletionTimestamp) return undefined;
  const ports: any[] = svc.spec.ports ?? [];
  if (!ports.length || ports.some((p) => !Number.isInteger(p?.nodePort) || p.nodePort <= 0)) return undefined;
  const name = cluster.metadata.name as string;
  const local = svc.spec.externalTrafficPolicy === 'Local';
  return newObject(VMOP, 'VirtualMachineService', cluster.metadata.namespace, vmServiceName(name, svc.metadata.namespace, svc.metadata.name), cluster, {
    labels: { [LB_LABELS.cluster]: name, [LB_LABELS.serviceName]: svc.metadata.name, [LB_LABELS.serviceNamespace]: svc.metadata.namespace },
    ...(local ? { annotations: { [EXTERNAL_TRAFFIC_POLICY_ANNOTATION]: 'Local', [HEALTH_CHECK_NODE_PORT_ANNOTATION]: String(svc.spec.healthCheckNodePort ?? 0) } } : {}),
    spec: {
      type: 'LoadBalancer',
      ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol ?? 'TCP', port: p.port, targetPort: p.nodePort })),
      selector: { [LABELS.vmCluster]: name, [LABELS.vmRole]: WORKER_ROLE },
      ...(svc.spec.loadBalancerIP ? { loadBalancerIP: svc.spec.loadBalancerIP } : {}),
      ...(svc.spec.loadBalancerSourceRanges?.length ? { loadBalancerSourceRanges: svc.spec.loadBalancerSourceRanges } : {}),
    },
  });
}

/** The spec fields this sync owns; any other (the `clusterIp` vm-operator gives it) is kept. */
const OWNED_SPEC = ['type', 'ports', 'selector', 'loadBalancerIP', 'loadBalancerSourceRanges'];

/** The Cluster's load-balancer VirtualMachineServices (by this sync's label and its owner reference). */
export function clusterLoadBalancers(model: ReadModel, cluster: any) {
  return model
    .list(CR.vmServices, cluster.metadata.namespace)
    .filter((s) => s.object.metadata.labels?.[LB_LABELS.cluster] === cluster.metadata.name && (s.object.metadata.ownerReferences ?? []).some((r: any) => r.uid === cluster.metadata.uid));
}

/**
 * The Supervisor writes that bring the Cluster's VirtualMachineServices to what its guest's Services (as last listed)
 * call for: created, corrected, and deleted when their Service is gone or no longer a LoadBalancer.
 */
export function loadBalancerWrites(model: ReadModel, cluster: any, guestServices: readonly any[]): (StreamAppend | undefined)[] {
  const ns = cluster.metadata.namespace;
  const desired = new Map<string, any>();
  if (!cluster.metadata.deletionTimestamp) {
    for (const svc of guestServices) {
      const want = desiredVmService(cluster, svc);
      if (want) desired.set(want.metadata.name, want);
    }
  }
  const writes: (StreamAppend | undefined)[] = [];
  for (const stored of clusterLoadBalancers(model, cluster)) if (!desired.has(stored.object.metadata.name)) writes.push(startDeletion(CR.vmServices, stored));
  for (const [name, want] of desired) {
    const stored = model.get(CR.vmServices, ns, name);
    if (!stored) {
      writes.push(created(CR.vmServices, want, model.streamVersion(CR.vmServices, ns, name)));
      continue;
    }
    // Someone else's of that name (a user's), or one going: left alone.
    if (stored.object.metadata.deletionTimestamp || !(stored.object.metadata.ownerReferences ?? []).some((r: any) => r.uid === cluster.metadata.uid)) continue;
    writes.push(
      updated(CR.vmServices, stored, (o) => {
        for (const k of OWNED_SPEC) delete o.spec[k];
        Object.assign(o.spec, want.spec);
        o.metadata.labels = { ...o.metadata.labels, ...want.metadata.labels };
        const annotations = { ...o.metadata.annotations };
        delete annotations[EXTERNAL_TRAFFIC_POLICY_ANNOTATION];
        delete annotations[HEALTH_CHECK_NODE_PORT_ANNOTATION];
        Object.assign(annotations, want.metadata.annotations);
        if (Object.keys(annotations).length) o.metadata.annotations = annotations;
        else delete o.metadata.annotations;
      }),
    );
  }
  return writes;
}

/**
 * The `status.loadBalancer` each guest Service should carry and does not, by `<namespace>/<name>`: a LoadBalancer's
 * VirtualMachineService ingress once it has one; `{}` for a Service no longer a LoadBalancer that still shows one.
 */
export function ingressUpdates(model: ReadModel, cluster: any, guestServices: readonly any[]): Map<string, { service: any; loadBalancer: any }> {
  const out = new Map<string, { service: any; loadBalancer: any }>();
  for (const svc of guestServices) {
    if (svc.metadata?.deletionTimestamp) continue;
    const have = svc.status?.loadBalancer ?? {};
    let want: any;
    if (svc.spec?.type === 'LoadBalancer') {
      const vmService = model.get(CR.vmServices, cluster.metadata.namespace, vmServiceName(cluster.metadata.name, svc.metadata.namespace, svc.metadata.name))?.object;
      const ips: string[] = (vmService?.status?.loadBalancer?.ingress ?? []).map((i: any) => i?.ip).filter(Boolean);
      if (!ips.length) continue;
      want = { ingress: ips.map((ip) => ({ ip, ipMode: 'VIP' })) };
    } else if ((have.ingress ?? []).length) want = {};
    else continue;
    if (!sameJson(have, want)) out.set(`${svc.metadata.namespace}/${svc.metadata.name}`, { service: svc, loadBalancer: want });
  }
  return out;
}
